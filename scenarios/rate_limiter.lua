-- A rate limiter built on an atomic counter: check, then act.
--
-- Each caller reads the counter and, if it is below the limit, increments
-- it and proceeds. Between one caller's `get` and its `add`, another caller
-- can read the same value, so more callers than the limit get through. POS
-- finds this in a few iterations: the `get`s and `add`s on the same atomic
-- cell race, and POS re-samples racing events. The fixed twin
-- (rate_limiter_fixed.lua) claims a slot with compare_exchange.
local ls = lockstep
local LIMIT = 2

local function try_acquire(counter)
  local n = ls.atomics.get(counter, 1)
  if n >= LIMIT then return false end
  ls.atomics.add(counter, 1, 1)
  return true
end

ls.test("at most two callers get through", { strategy = "pos", iterations = 200 }, function()
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
