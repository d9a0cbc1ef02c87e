-- One user's live connections on a channel (after presence-purge.lua): O(1), no scan of members.
--
-- KEYS[1..3] as in presence-purge.lua
-- ARGV[1] now, ms
-- ARGV[2] user id
-- Returns the count.
return tonumber(redis.call('HGET', KEYS[3], ARGV[2]) or '0')
