-- The Lua half of the lockstep runtime, loaded into every iteration's state
-- before the scenario. The C half (lua/api.cc) provides the sync points.
local ls = lockstep

-- Randomness is a controlled choice, recorded in the trace.
function math.random(m, n)
  if m == nil then
    return ls.random_int(0, (1 << 53) - 1) / (1 << 53)
  end
  if n == nil then m, n = 1, m end
  return ls.random_int(m, n)
end

function math.randomseed() end

-- Output goes to the trace's log, tagged with step and process.
print = ls.log
