-- History read: the channel's position and up to `limit` live entries in one direction.
--
-- KEYS[1] stream   P.stream.{t}
-- KEYS[2] meta     P.meta.{t}
-- ARGV[1] candidate epoch, stored (offset 0) when the channel has none, so the first publish adopts it
-- ARGV[2] TTL ms of a meta created here
-- ARGV[3] expected epoch ('' = any); on mismatch no entries are read
-- ARGV[4] limit (0 = position only)
-- ARGV[5] '1' reverse (XREVRANGE), '0' forward
-- ARGV[6] lower bound id ('-' or an offset), forward reads
-- ARGV[7] upper bound id ('+' or an offset), reverse reads
-- ARGV[8] now, ms: entries whose `x` is not above it are expired
-- Returns {top offset, epoch, entries}; each entry is {id, {field, value, ...}}.
local meta = redis.call('HMGET', KEYS[2], 'e', 's')
local epoch = meta[1]
local top = tonumber(meta[2] or '0')
if not epoch then
  epoch = ARGV[1]
  top = 0
  redis.call('DEL', KEYS[1])
  redis.call('HSET', KEYS[2], 'e', epoch, 's', 0, 't', ARGV[2])
  redis.call('PEXPIRE', KEYS[2], ARGV[2])
end

local limit = tonumber(ARGV[4])
if ARGV[3] ~= '' and ARGV[3] ~= epoch then limit = 0 end
local now = tonumber(ARGV[8])
local out = {}
if limit > 0 then
  local entries
  if ARGV[5] == '1' then
    entries = redis.call('XREVRANGE', KEYS[1], ARGV[7], '-', 'COUNT', limit)
  else
    entries = redis.call('XRANGE', KEYS[1], ARGV[6], '+', 'COUNT', limit)
  end
  for _, entry in ipairs(entries) do
    local fields = entry[2]
    local live = true
    for i = 1, #fields, 2 do
      if fields[i] == 'x' and tonumber(fields[i + 1]) <= now then live = false end
    end
    if live then out[#out + 1] = entry end
  end
end
return {top, epoch, out}
