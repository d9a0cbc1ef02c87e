-- Publish: idempotency check, epoch, offset, append, fan-out, as one atomic step per channel.
--
-- KEYS[1] stream     P.stream.{t}
-- KEYS[2] meta       P.meta.{t}           hash e (epoch), s (top offset), t (its own TTL ms)
-- KEYS[3] result     P.result.{t}.<key>   hash e, s (only used when ARGV[8] > 0)
-- ARGV[1] data       payload (JSON text, opaque)
-- ARGV[2] meta JSON  publication envelope (time, info, tags)
-- ARGV[3] history size (0 = store nothing, the offset still advances)
-- ARGV[4] history TTL ms (0 = store nothing)
-- ARGV[5] meta TTL ms
-- ARGV[6] candidate epoch, adopted when the channel has none
-- ARGV[7] pub/sub channel of the channel's frames
-- ARGV[8] idempotency window ms (0 = no idempotency key)
-- ARGV[9] now, ms
-- Returns {offset, epoch, duplicate (0/1)}.
local window = tonumber(ARGV[8])
if window > 0 then
  local found = redis.call('HMGET', KEYS[3], 'e', 's')
  if found[1] then return {tonumber(found[2]), found[1], 1} end
end

local epoch = redis.call('HGET', KEYS[2], 'e')
if not epoch then
  -- A new epoch: entries of an older one (meta evicted, stream kept) must never be served again.
  epoch = ARGV[6]
  redis.call('DEL', KEYS[1])
  redis.call('HSET', KEYS[2], 'e', epoch)
end
local offset = redis.call('HINCRBY', KEYS[2], 's', 1)
local metaTtl = tonumber(ARGV[5])
redis.call('HSET', KEYS[2], 't', metaTtl)
redis.call('PEXPIRE', KEYS[2], metaTtl)

local size = tonumber(ARGV[3])
local ttl = tonumber(ARGV[4])
local now = tonumber(ARGV[9])
local id = string.format('%d', offset)
if size > 0 and ttl > 0 then
  -- Expired entries at the head go first (bounded), so trimming by size keeps live ones.
  local head = redis.call('XRANGE', KEYS[1], '-', '+', 'COUNT', 16)
  for _, entry in ipairs(head) do
    local fields = entry[2]
    local expireAt = nil
    for i = 1, #fields, 2 do
      if fields[i] == 'x' then expireAt = tonumber(fields[i + 1]) end
    end
    if expireAt and expireAt <= now then redis.call('XDEL', KEYS[1], entry[1]) else break end
  end
  redis.call('XADD', KEYS[1], 'MAXLEN', size, id, 'd', ARGV[1], 'm', ARGV[2], 'x', string.format('%d', now + ttl))
  if redis.call('PTTL', KEYS[1]) < ttl then redis.call('PEXPIRE', KEYS[1], ttl) end
end

redis.call('PUBLISH', ARGV[7], 'p' .. id .. ':' .. epoch .. ':' .. ARGV[2] .. '\n' .. ARGV[1])

if window > 0 then
  redis.call('HSET', KEYS[3], 'e', epoch, 's', offset)
  redis.call('PEXPIRE', KEYS[3], window)
end
return {offset, epoch, 0}
