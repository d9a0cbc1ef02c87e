-- Adds or refreshes one connection's presence entry (after presence-purge.lua).
--
-- KEYS[1] data     P.presence.data.{t}     hash client id -> info JSON
-- KEYS[2] expire   P.presence.expire.{t}   zset client id -> expire-at ms
-- KEYS[3] users    P.presence.users.{t}    hash user id -> live connections
-- ARGV[1] now, ms
-- ARGV[2] client id
-- ARGV[3] info JSON (with `user`)
-- ARGV[4] user id
-- ARGV[5] TTL ms
-- Returns the user's live connections on the channel after the add.
local ttl = tonumber(ARGV[5])
local fresh = redis.call('HEXISTS', KEYS[1], ARGV[2]) == 0
redis.call('HSET', KEYS[1], ARGV[2], ARGV[3])
redis.call('ZADD', KEYS[2], tonumber(ARGV[1]) + ttl, ARGV[2])
local count
if fresh then
  count = redis.call('HINCRBY', KEYS[3], ARGV[4], 1)
else
  count = tonumber(redis.call('HGET', KEYS[3], ARGV[4]) or '0')
end
-- The keys live as long as their longest-lived entry.
for i = 1, 3 do
  if redis.call('PTTL', KEYS[i]) < ttl then redis.call('PEXPIRE', KEYS[i], ttl) end
end
return count
