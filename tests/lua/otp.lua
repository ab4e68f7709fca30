-- Assert-style tests of agent, task, task_supervisor, supervisor, registry
-- and gen_statem.
local ls = lockstep

ls.test("agent: get, update, get_and_update, cast", function()
  local a = ls.agent.start(function() return 1 end)
  assert(ls.agent.get(a, function(s) return s * 10 end) == 10)
  ls.agent.update(a, function(s) return s + 1 end)
  assert(ls.agent.get_and_update(a, function(s) return s, s + 5 end) == 2)
  ls.agent.cast(a, function(s) return s * 2 end)
  assert(ls.agent.get(a, function(s) return s end) == 14)
end)

ls.test("task: async and await", function()
  local t = ls.task.async(function() return 6 * 7 end)
  assert(ls.task.await(t) == 42)
end)

ls.test("task: await times out and kills the task", function()
  local t = ls.task.async(function() ls.sleep(1000); return "late" end)
  local ok, err = pcall(ls.task.await, t, 10)
  assert(not ok and err == "timeout")
  ls.sleep(2000)
  assert(not ls.is_alive(t.pid))
  assert(ls.receive(nil, 0) == nil, "nothing leaks into the mailbox")
end)

ls.test("task: async_stream keeps input order under max_concurrency", function()
  local running, peak = 0, 0
  local results = ls.task.async_stream({ 5, 1, 3, 2 }, function(x)
    running = running + 1
    if running > peak then peak = running end
    ls.sleep(x)
    running = running - 1
    return x * 10
  end, { max_concurrency = 2 })
  assert(table.concat(results, ",") == "50,10,30,20", table.concat(results, ","))
  assert(peak <= 2, "peak " .. peak)
end)

ls.test("task_supervisor: a crashing child does not take the caller down", function()
  local sup = ls.task_supervisor.start()
  local t = ls.task_supervisor.async(sup, function() error("child failed") end)
  local ok, err = pcall(ls.task.await, t)
  assert(not ok and tostring(err):find("child failed"), tostring(err))
  local good = ls.task_supervisor.async(sup, function() return "fine" end)
  assert(ls.task.await(good) == "fine")
  local pid = ls.task_supervisor.start_child(sup, function() ls.sleep(5) end)
  assert(ls.is_alive(pid))
end)

ls.test("supervisor: restarts by restart type", function()
  local parent = ls.self()
  local sup = ls.supervisor.start({
    { id = "perm", start = function() return ls.spawn_link(function() ls.receive() end) end },
    { id = "trans", restart = "transient", start = function() return ls.spawn_link(function() ls.receive() end) end },
    { id = "temp", restart = "temporary", start = function() return ls.spawn_link(function() ls.receive() end) end },
  }, { max_restarts = 10 })
  local function pid_of(id)
    for _, c in ipairs(ls.supervisor.which_children(sup)) do
      if c.id == id then return c.pid end
    end
  end
  local p1, p2, p3 = pid_of("perm"), pid_of("trans"), pid_of("temp")
  assert(p1 and p2 and p3)
  ls.exit(p1, "boom"); ls.exit(p2, "normal_looking"); ls.exit(p3, "boom")
  ls.sleep(1)
  assert(pid_of("perm") and pid_of("perm") ~= p1, "permanent restarted")
  assert(pid_of("trans") and pid_of("trans") ~= p2, "transient restarted after an abnormal exit")
  assert(pid_of("temp") == nil, "temporary not restarted")
  local p2b = pid_of("trans")
  ls.send(p2b, "bye") -- ends normally
  ls.sleep(1)
  assert(pid_of("trans") == nil, "transient not restarted after a normal exit")
end)

ls.test("supervisor: restart intensity exhausted shuts it down", function()
  local sup = ls.supervisor.start({
    { id = "w", start = function() return ls.spawn_link(function() ls.receive() end) end },
  }, { max_restarts = 2, max_seconds = 5 })
  local ref = ls.monitor(sup)
  for _ = 1, 3 do
    local w = ls.supervisor.which_children(sup)[1].pid
    ls.exit(w, "boom")
    ls.sleep(1)
  end
  local m = ls.receive(function(m) return m[1] == "DOWN" and m[2] == ref end, 100)
  assert(m and m[4] == "shutdown", "the supervisor gave up")
end)

-- Children that report to the test when they start and when they are shut
-- down, so the order of a group restart can be checked.
local function reporting_children(parent, ids, extra)
  local specs = {}
  for _, id in ipairs(ids) do
    specs[#specs + 1] = {
      id = id,
      restart = extra and extra[id] or nil,
      start = function() -- runs in the supervisor: says the order it starts them in
        ls.send(parent, { "started", id })
        local sup, ready = ls.self(), ls.make_ref()
        local pid = ls.spawn_link(function()
          ls.trap_exit(true)
          ls.send(sup, ready)
          while true do
            local m = ls.receive()
            if type(m) == "table" and m[1] == "EXIT" and m[3] == "shutdown" then
              ls.send(parent, { "stopped", id })
              ls.exit("shutdown")
            elseif m == "crash" then
              error("crash")
            end
          end
        end)
        ls.receive(function(m) return m == ready end) -- it traps exits before it counts as started
        return pid
      end,
    }
  end
  return specs
end

local function events(n)
  local got = {}
  for _ = 1, n do
    local m = ls.receive(function(m) return m[1] == "started" or m[1] == "stopped" end, 1000)
    assert(m, "only " .. #got .. " of " .. n .. " events: " .. table.concat(got, " "))
    got[#got + 1] = m[1] .. " " .. m[2]
  end
  return table.concat(got, ", ")
end

local function pids(sup)
  local out = {}
  for _, c in ipairs(ls.supervisor.which_children(sup)) do out[c.id] = c.pid end
  return out
end

ls.test("supervisor: one_for_all shuts the others down, last first, and starts all again in order", function()
  local sup = ls.supervisor.start(reporting_children(ls.self(), { "a", "b", "c" }), { strategy = "one_for_all" })
  assert(events(3) == "started a, started b, started c")
  local before = pids(sup)
  ls.send(before.b, "crash")
  local seen = events(5)
  assert(seen == "stopped c, stopped a, started a, started b, started c", seen)
  local after = pids(sup)
  for _, id in ipairs({ "a", "b", "c" }) do assert(after[id] and after[id] ~= before[id], id .. " restarted") end
end)

ls.test("supervisor: rest_for_one restarts the crashed child and those started after it", function()
  local sup = ls.supervisor.start(reporting_children(ls.self(), { "a", "b", "c" }), { strategy = "rest_for_one" })
  assert(events(3) == "started a, started b, started c")
  local before = pids(sup)
  ls.send(before.b, "crash")
  local seen = events(3)
  assert(seen == "stopped c, started b, started c", seen)
  local after = pids(sup)
  assert(after.a == before.a, "a, started before b, is untouched")
  assert(after.b ~= before.b and after.c ~= before.c)
end)

ls.test("supervisor: a group restart counts once towards the intensity", function()
  local parent = ls.self()
  local sup = ls.supervisor.start(reporting_children(parent, { "a", "b" }),
    { strategy = "one_for_all", max_restarts = 1, max_seconds = 5 })
  local ref = ls.monitor(sup)
  events(2)
  ls.send(pids(sup).a, "crash")
  events(3) -- stopped b, started a, started b: one restart
  assert(ls.receive(function(m) return m[1] == "DOWN" and m[2] == ref end, 100) == nil, "still up after one")
  ls.send(pids(sup).b, "crash")
  local m = ls.receive(function(m) return m[1] == "DOWN" and m[2] == ref end, 1000)
  assert(m and m[4] == "shutdown", "the second restart exceeds max_restarts = 1")
end)

ls.test("supervisor: a temporary sibling shut down for a group restart stays down", function()
  local sup = ls.supervisor.start(reporting_children(ls.self(), { "a", "t" }, { t = "temporary" }),
    { strategy = "one_for_all" })
  events(2)
  ls.send(pids(sup).a, "crash")
  local seen = events(2)
  assert(seen == "stopped t, started a", seen)
  local ids = {}
  for _, c in ipairs(ls.supervisor.which_children(sup)) do ids[#ids + 1] = c.id end
  assert(table.concat(ids, ",") == "a", table.concat(ids, ","))
end)

ls.test("supervisor: a child that ignores shutdown is killed after its shutdown time", function()
  local parent = ls.self()
  local sup = ls.supervisor.start({
    { id = "a", start = function() return ls.spawn_link(function() ls.receive(function(m) return m == "crash" end); error("x") end) end },
    { id = "ignores_shutdown", shutdown = 50, start = function()
        return ls.spawn_link(function()
          ls.trap_exit(true)
          ls.send(parent, "trapping")
          while true do ls.receive() end -- takes the shutdown as a message and carries on
        end)
      end },
  }, { strategy = "one_for_all" })
  ls.receive(function(m) return m == "trapping" end)
  local old = pids(sup).ignores_shutdown
  local ref = ls.monitor(old)
  local t0 = ls.now()
  ls.send(pids(sup).a, "crash")
  local m = ls.receive(function(m) return m[1] == "DOWN" and m[2] == ref end, 1000)
  assert(m and m[4] == "killed", "killed, not " .. tostring(m and m[4]))
  assert(ls.now() - t0 >= 50, "after its 50 ms")
  assert(pids(sup).ignores_shutdown ~= old)
end)

ls.test("supervisor: an unknown strategy is an error", function()
  local ok, err = pcall(ls.supervisor.start, {}, { strategy = "one_for_some" })
  assert(not ok and tostring(err):find("unknown strategy \"one_for_some\"", 1, true), tostring(err))
end)

ls.test("registry: unique and duplicate keys, cleanup on exit", function()
  local reg = ls.registry.start({ keys = "unique" })
  assert(ls.registry.register(reg, "k", 1) == true)
  local parent = ls.self()
  local other = ls.spawn(function()
    local ok, holder = ls.registry.register(reg, "k", 2)
    ls.send(parent, { ok, holder })
    ls.registry.register(reg, "mine", "x")
    ls.send(parent, "registered")
    ls.receive()
  end)
  local r = ls.receive(function(m) return type(m) == "table" end)
  assert(r[1] == false and r[2] == parent)
  ls.receive(function(m) return m == "registered" end)
  assert(#ls.registry.lookup(reg, "mine") == 1)
  ls.exit(other, "kill")
  ls.sleep(1)
  assert(#ls.registry.lookup(reg, "mine") == 0, "entries vanish when their process exits")
  local dup = ls.registry.start({ keys = "duplicate" })
  ls.registry.register(dup, "topic", "a")
  ls.registry.register(dup, "topic", "b")
  local seen = 0
  ls.registry.dispatch(dup, "topic", function(entries) seen = #entries end)
  assert(seen == 2)
  ls.registry.unregister(dup, "topic")
  assert(#ls.registry.lookup(dup, "topic") == 0)
end)

ls.test("gen_statem: calls, replies, state timeouts", function()
  local door = ls.gen_statem.start({
    init = function() return "ok", "locked", { code = "1234" } end,
    handle_event = function(kind, content, state, data, from)
      if kind == "call" and state == "locked" then
        if content == data.code then
          return "next_state", "open", data, { { "reply", from, "opened" }, { "timeout", 100, "relock" } }
        end
        return "keep_state", data, { { "reply", from, "wrong code" } }
      elseif kind == "call" and state == "open" then
        return "keep_state", data, { { "reply", from, "already open" } }
      elseif kind == "timeout" then
        return "next_state", "locked", data
      end
      return "keep_state", data
    end,
  })
  assert(ls.gen_statem.call(door, "0000") == "wrong code")
  assert(ls.gen_statem.call(door, "1234") == "opened")
  assert(ls.gen_statem.call(door, "x") == "already open")
  ls.sleep(200)
  assert(ls.gen_statem.call(door, "x") == "wrong code", "relocked by the state timeout")
  assert(ls.gen_statem.stop(door) == "ok")
end)

ls.test("OTP processes get readable labels", function()
  local s = ls.genserver.start({ init = function() return "ok", 0 end }, nil, { name = "cache" })
  assert(ls.whereis("cache") == s)
end)
