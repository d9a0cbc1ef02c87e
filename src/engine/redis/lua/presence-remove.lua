-- Removes one connection's presence entry (after presence-purge.lua).
--
-- KEYS[1] data     P.presence.data.{t}     hash client id -> info JSON
-- KEYS[2] expire   P.presence.expire.{t}   zset client id -> expire-at ms
-- KEYS[3] users    P.presence.users.{t}    hash user id -> live connections
-- ARGV[1] now, ms
-- ARGV[2] client id
-- Returns the user's live connections left on the channel, or nil when the entry was not there.
local info = redis.call('HGET', KEYS[1], ARGV[2])
if not info then
  redis.call('ZREM', KEYS[2], ARGV[2])
  return nil
end
forget(ARGV[2])
return tonumber(redis.call('HGET', KEYS[3], cjson.decode(info).user) or '0')
