-- Shared head of the presence scripts (prepended to each when loaded): drops the channel's
-- expired entries and decrements their users' connection counts, so counts stay O(1) to read.
--
-- KEYS[1] data     P.presence.data.{t}     hash client id -> info JSON (with `user`)
-- KEYS[2] expire   P.presence.expire.{t}   zset client id -> expire-at ms
-- KEYS[3] users    P.presence.users.{t}    hash user id -> live connections
-- ARGV[1] now, ms  (each script's further ARGV follow)
local function forget(client)
  local info = redis.call('HGET', KEYS[1], client)
  redis.call('ZREM', KEYS[2], client)
  if not info then return false end
  redis.call('HDEL', KEYS[1], client)
  local user = cjson.decode(info).user
  if redis.call('HINCRBY', KEYS[3], user, -1) <= 0 then redis.call('HDEL', KEYS[3], user) end
  return true
end

local expired = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', ARGV[1], 'LIMIT', 0, 1000)
for _, client in ipairs(expired) do forget(client) end
