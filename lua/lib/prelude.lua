-- The Lua half of the lockstep runtime, loaded into every iteration's state
-- before the scenario. The C half (lua/api.cc) provides the sync points.
local ls = lockstep
local token = ls._sync_token
ls._sync_token = nil

-- User coroutines inside a process may reach sync points. A sync point in
-- an inner coroutine yields a private token instead of suspending the
-- process; the resume below passes it up (suspending the enclosing thread
-- too) and hands the scheduler's reply back down when the process runs.
local create, raw_resume, raw_yield, status = coroutine.create, coroutine.resume, coroutine.yield, coroutine.status

local function forward(co, ok, first, ...)
  if ok and first == token and status(co) == "suspended" then
    return forward(co, raw_resume(co, raw_yield(token)))
  end
  return ok, first, ...
end

function coroutine.resume(co, ...)
  return forward(co, raw_resume(co, ...))
end

local function unwrap(ok, ...)
  if not ok then error((...), 0) end
  return ...
end

function coroutine.wrap(f)
  local co = create(f)
  return function(...)
    return unwrap(forward(co, raw_resume(co, ...)))
  end
end

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
