-- Counts live connections and distinct users (after presence-purge.lua): two HLENs.
--
-- KEYS[1..3] as in presence-purge.lua
-- ARGV[1] now, ms
-- Returns {clients, users}.
return {redis.call('HLEN', KEYS[1]), redis.call('HLEN', KEYS[3])}
