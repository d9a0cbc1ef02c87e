-- Lists live presence entries (after presence-purge.lua).
--
-- KEYS[1..3] as in presence-purge.lua
-- ARGV[1] now, ms
-- Returns {client id, info JSON, ...}.
return redis.call('HGETALL', KEYS[1])
