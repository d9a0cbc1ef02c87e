-- One user's live connections on a channel (after presence-purge.lua): O(1), no scan of members.
--
-- KEYS[1] data     P.presence.data.{t}     hash client id -> info JSON
-- KEYS[2] expire   P.presence.expire.{t}   zset client id -> expire-at ms
-- KEYS[3] users    P.presence.users.{t}    hash user id -> live connections
-- ARGV[1] now, ms
-- ARGV[2] user id
-- Returns the count.
return tonumber(redis.call('HGET', KEYS[3], ARGV[2]) or '0')
