-- A worker pool registered in a registry, both under one supervisor.
--
-- The pool's workers register themselves in the registry when they start,
-- and clients find a worker by looking it up there. The registry is a
-- dependency of the workers: when it crashes, its restart comes back
-- empty. Under one_for_one only the registry is restarted, so the workers
-- stay up but are registered nowhere, and a client that looks up after
-- the crash never finds one. The fixed twin (pool_registry_fixed.lua)
-- supervises them rest_for_one, as OTP does for children that depend on
-- the ones started before them: the registry's restart also restarts the
-- workers started after it, and they register again.
local ls = lockstep

local STRATEGY = "one_for_one"

-- Registers in the registry, waiting while it is between lives.
local function register_when_up(key)
  while not pcall(ls.registry.register, "pool_registry", key, "idle") do ls.sleep(5) end
end

local function worker(key)
  return function()
    return ls.spawn_link(function()
      ls.label(key)
      register_when_up(key)
      while true do
        local m = ls.receive()
        if m[1] == "job" then ls.send(m[2], { "done", key }) end
      end
    end)
  end
end

-- Looks a worker up, waiting a little while the registry is between lives.
local function find_worker(key)
  for _ = 1, 5 do
    local ok, entries = pcall(ls.registry.lookup, "pool_registry", key)
    if ok and #entries > 0 then return entries[1][1] end
    ls.sleep(10)
  end
  return nil
end

-- Gives the worker registered as `key` a job; looks again if the worker
-- ends before it answers (its supervisor may be restarting it).
local function run_job(key)
  for _ = 1, 3 do
    local w = find_worker(key)
    if w == nil then break end
    local ref = ls.monitor(w)
    ls.send(w, { "job", ls.self() })
    local m = ls.receive(function(m) return m[1] == "done" or (m[1] == "DOWN" and m[2] == ref) end)
    if m[1] == "done" then
      ls.demonitor(ref, { flush = true })
      return m[2]
    end
  end
  return "no worker registered as " .. key
end

ls.test("a client finds a worker after the registry crashes", { strategy = "pct", iterations = 300 }, function()
  ls.supervisor.start({
    { id = "registry", start = function() return ls.registry.start_link({ keys = "unique" }, { name = "pool_registry" }) end },
    { id = "w1", start = worker("w1") },
    { id = "w2", start = worker("w2") },
  }, { strategy = STRATEGY })
  local parent = ls.self()
  ls.spawn(function() -- a fault in the registry, at a moment the scheduler picks
    ls.label("chaos")
    ls.exit(ls.whereis("pool_registry"), "kill")
  end)
  ls.spawn(function()
    ls.label("client")
    ls.send(parent, { "result", run_job("w1") })
  end)
  local r = ls.receive(function(m) return m[1] == "result" end)[2]
  assert(r == "w1", r)
end)
