-- Fixed twin of rate_limiter.lua: a caller claims a slot with
-- compare_exchange, retrying when another caller changed the counter
-- between its read and its swap.
local ls = lockstep
local LIMIT = 2

local function try_acquire(counter)
  while true do
    local n = ls.atomics.get(counter, 1)
    if n >= LIMIT then return false end
    if ls.atomics.compare_exchange(counter, 1, n, n + 1) then return true end
  end
end

ls.test("at most two callers get through", { strategy = "pos", iterations = 3000 }, function()
  local counter = ls.atomics.new(1)
  local admitted = ls.atomics.new(1)
  ls.invariant("admitted within the limit", function() return ls.atomics.get(admitted, 1) <= LIMIT end)
  local parent = ls.self()
  for _ = 1, 4 do
    ls.spawn(function()
      if try_acquire(counter) then ls.atomics.add(admitted, 1, 1) end
      ls.send(parent, "done")
    end)
  end
  for _ = 1, 4 do ls.receive() end
end)
