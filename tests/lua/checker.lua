-- Assert-style tests of ls.history, ls.generator, ls.model and ls.checker.
local ls = lockstep

local function ev(type, process, f, value) return { type = type, process = process, f = f, value = value } end

ls.test("history records events in schedule order with their process", function()
  local h = ls.history.new()
  local parent = ls.self()
  for i = 1, 2 do
    ls.spawn(function()
      h:op("write", i, function() return "ok" end)
      ls.send(parent, "done")
    end)
  end
  ls.receive(); ls.receive()
  local events = ls.history.events(h)
  assert(#events == 4)
  for i, e in ipairs(events) do
    assert(e.index == i)
    assert(e.type == "invoke" or e.type == "ok")
    assert(ls.is_alive(e.process) ~= nil)
  end
  local ok, err = pcall(ls.history.op, h, "read", nil, function() error("lost", 0) end)
  assert(not ok and err == "lost")
  local last = ls.history.events(h)[6]
  assert(last.type == "info" and last.value == "lost")
  local json = h:to_json_lines()
  assert(select(2, json:gsub("\n", "")) == 6, json)
  assert(json:find('{"type": "invoke", "process": %d+, "f": "write", "value": %d}'), json)
end)

ls.test("history options: total order, and a bad options value is an error naming it", function()
  local h = ls.history.new({ total_order = true })
  h:op("write", 1, function() return "ok" end)
  assert(#h:events() == 2 and h:events()[2].type == "ok")
  local ok, err = pcall(ls.history.new, "total")
  assert(not ok and err:find("ls.history.new: options must be a table", 1, true), err)
end)

ls.test("generators are immutable and reproducible", function()
  local g = ls.generator.random({ "a", "b", "c" }, { seed = 42 })
  local x1, g1 = ls.generator.next(g)
  local x2 = ls.generator.next(g)
  assert(x1 == x2, "next does not change g")
  local seq = {}
  ls.generator.each(ls.generator.take(g, 20), function(op) seq[#seq + 1] = op end)
  local again = {}
  ls.generator.each(ls.generator.take(ls.generator.random({ "a", "b", "c" }, { seed = 42 }), 20),
    function(op) again[#again + 1] = op end)
  assert(table.concat(seq) == table.concat(again))
  assert(ls.generator.each(ls.generator.take(ls.generator.cycle({ 1, 2 }), 5), function() end) == 5)
  local sum = ls.generator.reduce(ls.generator.take(ls.generator.cycle({ 1, 2 }), 4), 0, function(a, x) return a + x end)
  assert(sum == 6)
  local w = ls.generator.take(ls.generator.weighted({ { "x", 1 }, { "y", 0 } }, { seed = 1 }), 10)
  ls.generator.each(w, function(op) assert(op == "x") end)
  local m = ls.generator.take(ls.generator.mix({ ls.generator.cycle({ 1 }), ls.generator.cycle({ 2 }) }, { seed = 3 }), 30)
  local seen = {}
  ls.generator.each(m, function(op) seen[op] = true end)
  assert(seen[1] and seen[2])
  local unseeded = ls.generator.random({ 1, 2, 3 }) -- seeded from the iteration's controlled choices
  assert(ls.generator.next(unseeded) ~= nil)
end)

ls.test("linearizable: a stale read is caught and explained", function()
  local p1, p2 = ls.self(), ls.spawn(function() end)
  local events = {
    ev("invoke", p1, "write", 1), ev("ok", p1, "write", nil),
    ev("invoke", p2, "read", nil), ev("ok", p2, "read", 0),
  }
  local ok, info = ls.checker.linearizable(events, ls.model.register(0))
  assert(ok == false and info.valid == false)
  -- Distinct writes: decided as `lockstep check` decides a file, by zones,
  -- naming the write and the read that cannot be ordered.
  assert(info.decided_by_zones == 1, info.decided_by_zones)
  assert(info.explanation:find("reads of it"), info.explanation)
  assert(#info.stuck == 2 and info.stuck[1]:find("write 1") and info.stuck[2]:find("read %-> 0"), info.stuck[1])
  assert(ls.checker.sequential(events, ls.model.register(0)) == true, "sequentially it is fine")
end)

ls.test("linearizable: overlapping operations, cas, fail and info", function()
  local a, b = ls.self(), ls.spawn(function() end)
  local events = {
    ev("invoke", a, "write", 1),
    ev("invoke", b, "read", nil),
    ev("ok", b, "read", 0), -- overlaps the write
    ev("ok", a, "write", nil),
    ev("invoke", a, "cas", { 1, 2 }), ev("ok", a, "cas", true),
    ev("invoke", b, "write", 9), ev("fail", b, "write", "refused"), -- took no effect
    ev("invoke", b, "write", 7), ev("info", b, "write", "timeout"),  -- may or may not have
    ev("invoke", a, "read", nil), ev("ok", a, "read", 2),
  }
  assert(ls.checker.linearizable(events, ls.model.register(0)) == true)
  events[#events].value = 7 -- the info write did happen: also fine
  assert(ls.checker.linearizable(events, ls.model.register(0)) == true)
  events[#events].value = 9 -- the failed write cannot have happened
  assert(ls.checker.linearizable(events, ls.model.register(0)) == false)
end)

ls.test("models: counter, kv per key, queue, set, custom", function()
  local a, b = ls.self(), ls.spawn(function() end)
  assert(ls.checker.linearizable({
    ev("invoke", a, "add", 2), ev("ok", a, "add"), ev("invoke", b, "read"), ev("ok", b, "read", 2),
  }, ls.model.counter(0)))
  local ok, info = ls.checker.linearizable({
    ev("invoke", a, "put", { "x", 1 }), ev("ok", a, "put"),
    ev("invoke", b, "get", "y"), ev("ok", b, "get", nil),
    ev("invoke", b, "get", "x"), ev("ok", b, "get", nil),
  }, ls.model.kv())
  assert(not ok and info.key == "x", tostring(info.key))
  assert(not ls.checker.linearizable({
    ev("invoke", a, "enqueue", 1), ev("ok", a, "enqueue"), ev("invoke", a, "enqueue", 2), ev("ok", a, "enqueue"),
    ev("invoke", b, "dequeue"), ev("ok", b, "dequeue", 2),
  }, ls.model.queue()))
  assert(ls.checker.linearizable({
    ev("invoke", a, "add", 5), ev("ok", a, "add"), ev("invoke", b, "contains", 5), ev("ok", b, "contains", true),
  }, ls.model.set()))
  local toggle = ls.model.new({ init = false, step = function(s, f, input, output)
    if f == "flip" then return true, not s end
    return output == s, s
  end })
  assert(ls.checker.linearizable({
    ev("invoke", a, "flip"), ev("ok", a, "flip"), ev("invoke", b, "get"), ev("ok", b, "get", true),
  }, toggle))
end)

ls.test("causal: each process sees updates in a consistent order", function()
  local a, b = ls.self(), ls.spawn(function() end)
  local events = {
    ev("invoke", a, "write", 1), ev("ok", a, "write"),
    ev("invoke", a, "write", 2), ev("ok", a, "write"),
    ev("invoke", b, "read"), ev("ok", b, "read", 2),
    ev("invoke", b, "read"), ev("ok", b, "read", 1), -- goes back in a's program order
  }
  assert(ls.checker.causal(events, ls.model.register(0)) == false)
  events[8].value = 2
  assert(ls.checker.causal(events, ls.model.register(0)) == true)
end)

ls.test("sequential and causal checks of 10,000 operations do not overflow the stack", { iterations = 1 }, function()
  -- One client writes and reads back 5,000 times: the search goes 10,000
  -- levels deep (it recursed once, and overflowed the process stack).
  local events = {}
  for i = 1, 5000 do
    events[#events + 1] = ev("invoke", 1, "write", i)
    events[#events + 1] = ev("ok", 1, "write", i)
    events[#events + 1] = ev("invoke", 1, "read", nil)
    events[#events + 1] = ev("ok", 1, "read", i)
  end
  local ok, info = ls.checker.sequential(events, ls.model.register(0))
  assert(ok, info.explanation)
  assert(info.operations == 10000)
  ok, info = ls.checker.causal(events, ls.model.register(0))
  assert(ok, info.explanation)
  events[#events] = ev("ok", 1, "read", 1) -- a read that goes back in time
  ok, info = ls.checker.sequential(events, ls.model.register(0))
  assert(not ok and info.linearized == 9999, info.linearized)
end)

ls.test("a model that raises is a checker error the caller can catch", function()
  local events = { ev("invoke", 1, "write", 1), ev("ok", 1, "write", 1) }
  local broken = ls.model.new({ init = 0, step = function() error("no such operation", 0) end })
  local ok, err = pcall(ls.checker.linearizable, events, broken)
  assert(not ok and err:find("checker: the model's step function raised: no such operation", 1, true), err)
  local keyless = ls.model.new({ init = 0, step = function(s) return true, s end, key = function() error("bad key", 0) end })
  ok, err = pcall(ls.checker.linearizable, events, keyless)
  assert(not ok and err:find("the model's key function raised: bad key", 1, true), err)
end)

ls.test("a failed cas completed: it found another value (as in Jepsen)", function()
  local a = ls.self()
  -- The register holds 1; a cas from 1 that reports failure cannot be linearized.
  local events = {
    ev("invoke", a, "write", 1), ev("ok", a, "write"),
    ev("invoke", a, "cas", { 1, 2 }), ev("fail", a, "cas", "mismatch"),
  }
  assert(ls.checker.linearizable(events, ls.model.register(0)) == false)
  -- From 5 it rightly fails; a read after it still sees 1.
  events[3] = ev("invoke", a, "cas", { 5, 2 })
  events[#events + 1] = ev("invoke", a, "read")
  events[#events + 1] = ev("ok", a, "read", 1)
  assert(ls.checker.linearizable(events, ls.model.register(0)) == true)
end)

ls.test("to_json_lines writes valid JSON for any string", function()
  local h = ls.history.new()
  h:invoke("write", 'a "quoted"\nline\\')
  h:ok("write", "ok")
  local json = h:to_json_lines()
  assert(json:find('"value": "a \\"quoted\\"\\nline\\\\"', 1, true), json)
  local ok, err = pcall(h.to_json_lines, (function() local g = ls.history.new(); g:invoke("write", {1, 2, 3}); return g end)())
  assert(not ok and err:find("cannot be written", 1, true), err)
end)

ls.test("processes named by any value are told apart by their contents", function()
  -- Two clients named by strings, overlapping: each pairs with its own completion.
  local h = { ev("invoke", "a", "write", 1), ev("invoke", "b", "read", nil), ev("ok", "a", "write", nil),
              ev("ok", "b", "read", 1) }
  assert(ls.checker.linearizable(h, ls.model.register(0)) == true)
  -- A table names a process by what it holds, not by which table it is.
  h = { ev("invoke", { "c", 1 }, "write", 1), ev("invoke", { "c", 2 }, "read", nil),
        ev("ok", { "c", 1 }, "write", nil), ev("ok", { "c", 2 }, "read", 0) }
  assert(ls.checker.linearizable(h, ls.model.register(0)) == true)
  -- One string client that invokes twice is still caught.
  local ok, err = pcall(ls.checker.linearizable, { ev("invoke", "a", "write", 1), ev("invoke", "a", "read", nil) },
                        ls.model.register(0))
  assert(not ok and err:find('"a" invokes again', 1, true), err)
  -- The same with a model written in Lua: "b" flips while "a" reads the old state.
  local toggle = ls.model.new({ init = false, step = function(st, f, input, output)
    if f == "flip" then return true, not st end
    return output == st, st
  end })
  assert(ls.checker.linearizable({ ev("invoke", "a", "get"), ev("invoke", "b", "flip"), ev("ok", "b", "flip"),
    ev("ok", "a", "get", false) }, toggle) == true)
  -- An event without a process is refused: it was taken for process 0 (the root's pid).
  for _, check in ipairs({ ls.checker.linearizable, ls.checker.sequential }) do
    ok, err = pcall(check, { ev("invoke", ls.self(), "write", 1), { type = "invoke", f = "read" },
                             ev("ok", ls.self(), "write", nil), { type = "ok", f = "read", value = 0 } },
                    ls.model.register(0))
    assert(not ok and err:find("event 2 has no process", 1, true), err)
  end
end)

ls.test("an operation the model does not know is an error, not a verdict", function()
  local a = ls.self()
  local events = { ev("invoke", a, "enqueue", 1), ev("ok", a, "enqueue") }
  local ok, err = pcall(ls.checker.linearizable, events, ls.model.register(0))
  assert(not ok and err:find('operation "enqueue" (event 1) is unknown to the register model', 1, true), err)
  -- get and put are the register's read and write.
  assert(ls.checker.linearizable({ ev("invoke", a, "put", 3), ev("ok", a, "put"),
    ev("invoke", a, "get"), ev("ok", a, "get", 3) }, ls.model.register(0)))
end)

ls.test("reads whose outcome is unknown are left out of the search", function()
  local events = { ev("invoke", 1, "write", 1), ev("ok", 1, "write", 1) }
  for p = 2, 31 do events[#events + 1] = ev("invoke", p, "read", nil) end
  for p = 2, 31 do events[#events + 1] = ev("info", p, "read", "timeout") end
  events[#events + 1] = ev("invoke", 40, "read", nil)
  events[#events + 1] = ev("ok", 40, "read", 1)
  local ok, info = ls.checker.linearizable(events, ls.model.register(0))
  assert(ok and info.dropped == 30, info.dropped)
  -- A model that does not declare its reads keeps them (and still agrees).
  local custom = ls.model.new({ init = 0, step = function(state, f, input, output)
    if f == "read" then return output == state, state end
    return true, input
  end })
  local ok2, info2 = ls.checker.linearizable(events, custom)
  assert(ok2 and info2.dropped == 0)
  -- A stale read is still caught.
  events[#events] = ev("ok", 40, "read", 0)
  assert(not ls.checker.linearizable(events, ls.model.register(0)))
end)

ls.test("built-in models take any Lua value, equal as ets keys are equal", function()
  local a, b = ls.self(), ls.spawn(function() end)
  local t = { 1, 2 }
  local function history(w1, r1, w2, r2)
    return { ev("invoke", a, "write", w1), ev("ok", a, "write", nil), ev("invoke", b, "read", nil),
             ev("ok", b, "read", r1), ev("invoke", a, "write", w2), ev("ok", a, "write", nil),
             ev("invoke", b, "read", nil), ev("ok", b, "read", r2) }
  end
  assert(ls.checker.linearizable(history("x", "x", t, t), ls.model.register()) == true)
  assert(ls.checker.linearizable(history(1, 1.0, 2.0, 2), ls.model.register()) == true, "1 and 1.0 are one value")
  assert(ls.checker.linearizable(history("1", 1, 2, 2), ls.model.register()) == false, '"1" is not 1')
  assert(ls.checker.linearizable(history(1.5, 1.5, 2, 2.0), ls.model.register()) == true)
  assert(ls.checker.linearizable(history(1.5, 1.25, 2, 2), ls.model.register()) == false, "1.5 is not 1.25")
  assert(ls.checker.linearizable(history("{1, 2}", "{1, 2}", 2, t), ls.model.register()) == false, "a text is not a table")
  -- Tables by their contents: a copy (a value that went through a message) is the value.
  assert(ls.checker.linearizable(history("x", "x", t, { 1, 2 }), ls.model.register()) == true)
  local ok, info = ls.checker.linearizable(history("x", "x", t, { 1, 3 }), ls.model.register())
  assert(ok == false and info.explanation:find("{1, 3}", 1, true), info.explanation)
  -- cas of strings, with the engine's answer for a failed one.
  assert(ls.checker.linearizable({
    ev("invoke", a, "cas", { "x", "y" }), ev("ok", a, "cas", true),
    ev("invoke", b, "cas", { "x", "z" }), ev("ok", b, "cas", false),
    ev("invoke", b, "read", nil), ev("ok", b, "read", "y"),
  }, ls.model.register("x")) == true)
  assert(ls.checker.linearizable({
    ev("invoke", a, "cas", { "x", "y" }), ev("ok", a, "cas", true),
    ev("invoke", b, "read", nil), ev("ok", b, "read", "x"),
  }, ls.model.register("x")) == false)
  -- kv with table keys' first elements, queue and set of strings.
  assert(ls.checker.linearizable({
    ev("invoke", a, "put", { "k", { "v" } }), ev("ok", a, "put", nil),
    ev("invoke", b, "get", "j"), ev("ok", b, "get", nil),
  }, ls.model.kv()) == true)
  assert(ls.checker.linearizable({
    ev("invoke", a, "enqueue", "first"), ev("ok", a, "enqueue", nil),
    ev("invoke", a, "enqueue", "second"), ev("ok", a, "enqueue", nil),
    ev("invoke", b, "dequeue", nil), ev("ok", b, "dequeue", "second"),
  }, ls.model.queue()) == false)
  local okq, infoq = ls.checker.linearizable({
    ev("invoke", a, "enqueue", "first"), ev("ok", a, "enqueue", nil),
    ev("invoke", b, "dequeue", nil), ev("ok", b, "dequeue", "second"),
  }, ls.model.queue())
  assert(not okq and infoq.explanation:find('["first"]', 1, true), infoq.explanation)
  assert(ls.checker.linearizable({
    ev("invoke", a, "add", "s"), ev("ok", a, "add", nil),
    ev("invoke", b, "contains", "s"), ev("ok", b, "contains", true),
  }, ls.model.set()) == true)
  -- The counter counts integers.
  local okc, err = pcall(ls.checker.linearizable, { ev("invoke", a, "add", 0.5), ev("ok", a, "add", nil) },
    ls.model.counter())
  assert(not okc and err:find("counts integers, not 0.5", 1, true), err)
end)

-- A check of a built-in model that passed is remembered by its history's
-- exact content (across iterations too): checked again, it answers as it
-- did; a history that differs in anything the check sees is checked anew.
ls.test("a history checked again gets its verdict again, and any difference is checked anew", function()
  local a, b = ls.self(), ls.spawn(function() end)
  local function history()
    return { ev("invoke", a, "write", 1), ev("ok", a, "write", nil),
             ev("invoke", b, "read", nil), ev("info", b, "read", "timeout"),
             ev("invoke", b, "read", nil), ev("ok", b, "read", 1) }
  end
  -- A read of a value nothing wrote (decided by zones, before any text is made).
  assert(not ls.checker.linearizable({ ev("invoke", b, "read", nil), ev("ok", b, "read", 1) }, ls.model.register(0)))
  for _ = 1, 3 do
    local ok, info = ls.checker.linearizable(history(), ls.model.register(0))
    assert(ok and info.valid and info.operations == 3 and info.dropped == 1, tostring(info.operations))
  end
  local h = history()
  h[6].value = 0  -- the value read
  assert(not ls.checker.linearizable(h, ls.model.register(0)))
  h = history()
  h[2].type = "fail"  -- the write took no effect
  assert(not ls.checker.linearizable(h, ls.model.register(0)))
  h = history()
  h[1].f, h[2].f = "cas", "cas"  -- another operation (a cas of 1 finds 0)
  assert(not ls.checker.linearizable(h, ls.model.register(0)))
  local initial = { ev("invoke", b, "read", nil), ev("ok", b, "read", 0) }
  assert(ls.checker.linearizable(initial, ls.model.register(0)))
  assert(not ls.checker.linearizable(initial, ls.model.register(7)), "another initial value")
  -- Which process ran what: b's read now overlaps nothing and comes first.
  h = { ev("invoke", b, "read", nil), ev("ok", b, "read", 1), ev("invoke", a, "write", 1), ev("ok", a, "write", nil) }
  assert(ls.checker.sequential(h, ls.model.register(0)), "sequentially the read may go last")
  assert(not ls.checker.linearizable(h, ls.model.register(0)), "the mode is part of what was checked")
  -- Positions the events carry (ls.history's index) order the operations.
  h = history()
  for i, e in ipairs(h) do e.index = i end
  h[5].index, h[6].index = 0, 0.5
  assert(ls.checker.linearizable(h, ls.model.register(0)))
  -- Equal tables built in another order are one value; a different one is not.
  local function tables(x, y)
    return { ev("invoke", a, "write", x), ev("ok", a, "write", nil), ev("invoke", b, "read", nil), ev("ok", b, "read", y) }
  end
  local t1 = { k = 1, j = 2 }
  local t2 = { j = 2 }; t2.k = 1
  assert(ls.checker.linearizable(tables(t1, t1), ls.model.register(0)))
  assert(ls.checker.linearizable(tables(t1, t2), ls.model.register(0)))
  assert(not ls.checker.linearizable(tables(t1, { k = 1, j = 3 }), ls.model.register(0)))
  -- 1 and 1.0 are one value, remembered or not.
  assert(ls.checker.linearizable(tables(1, 1.0), ls.model.register(0)))
  assert(ls.checker.linearizable(tables(1.0, 1), ls.model.register(0)))
  assert(not ls.checker.linearizable(tables(1, 1.5), ls.model.register(0)))
end)

-- The checker against brute force on random register histories (writes,
-- reads, failed and unknown outcomes, values that repeat), as a scenario
-- gives them: values are Lua values, checked as atoms.
ls.test("linearizable and sequential agree with brute force on random register histories", { iterations = 1 }, function()
  local seed = 12345
  local function rand(n)  -- a fixed sequence: the same histories every run
    seed = (seed * 1103515245 + 12345) % 2147483648
    return (seed // 65536) % n
  end
  -- Whether some order of the operations that happened (all oks, any
  -- subset of the infos) respects real time (unless sequential: only each
  -- process's order) and register semantics from `init`.
  local function brute(ops, init, sequential)
    local n = #ops
    local used = {}
    local function before(a, b)  -- a must come before b
      if sequential then return a.process == b.process and a.ret < b.call end
      return a.ret < b.call
    end
    local function search(placed, value)
      local all = true
      for i = 1, n do
        local op = ops[i]
        if not used[i] and op.outcome == "ok" then all = false end
      end
      if all then return true end
      for i = 1, n do
        local op = ops[i]
        if not used[i] and op.outcome ~= "fail" then
          local ready = true
          for j = 1, n do
            if j ~= i and not used[j] and ops[j].outcome == "ok" and before(ops[j], op) then ready = false end
          end
          if ready then
            local ok, next_value = true, value
            if op.f == "write" then next_value = op.value
            elseif op.outcome == "ok" then ok = op.value == value end
            if ok then
              used[i] = true
              local found = search(placed + 1, next_value)
              used[i] = nil
              if found then return true end
            end
          end
        end
      end
      return false
    end
    return search(0, init)
  end
  local checked, failing = 0, 0
  for _ = 1, 300 do
    local n = 1 + rand(4)
    local ops, events = {}, {}
    local t = 0
    for i = 1, n do
      local op = { process = rand(3), f = rand(2) == 0 and "write" or "read" }
      local r = rand(10)
      op.outcome = r < 7 and "ok" or r < 8 and "fail" or "info"
      if op.f == "write" or op.outcome == "ok" then op.value = rand(3) end
      ops[i] = op
    end
    -- Each process's operations one after another; processes interleave.
    local pending = {}
    for i = 1, n do pending[i] = i end
    local busy, order = {}, {}
    while #pending > 0 or next(busy) do
      local choices = {}
      for k, i in ipairs(pending) do
        if not busy[ops[i].process] then choices[#choices + 1] = k end
      end
      local finishing = {}
      for p, i in pairs(busy) do finishing[#finishing + 1] = p end
      table.sort(finishing)
      if #choices > 0 and (#finishing == 0 or rand(2) == 0) then
        local k = choices[1 + rand(#choices)]
        local i = table.remove(pending, k)
        t = t + 1
        ops[i].call = t
        busy[ops[i].process] = i
        events[#events + 1] = ev("invoke", ops[i].process, ops[i].f, ops[i].f == "write" and ops[i].value or nil)
      else
        local p = finishing[1 + rand(#finishing)]
        local i = busy[p]
        busy[p] = nil
        t = t + 1
        local op = ops[i]
        op.ret = op.outcome == "info" and math.huge or t
        events[#events + 1] = ev(op.outcome, p, op.f, op.outcome == "ok" and op.f == "read" and op.value or nil)
        -- A process whose outcome is unknown never comes back.
        if op.outcome == "info" then
          for k = #pending, 1, -1 do
            if ops[pending[k]].process == p then
              local j = table.remove(pending, k)
              ops[j].outcome = "never"
            end
          end
        end
      end
    end
    local kept = {}
    for _, op in ipairs(ops) do if op.outcome ~= "never" then kept[#kept + 1] = op end end
    local init = rand(2)
    for _, mode in ipairs({ "linearizable", "sequential" }) do
      local want = brute(kept, init, mode == "sequential")
      local got = ls.checker[mode](events, ls.model.register(init))
      checked = checked + 1
      if not want then failing = failing + 1 end
      if got ~= want then
        local lines = {}
        for _, e in ipairs(events) do lines[#lines + 1] = e.type .. " " .. e.process .. " " .. e.f .. " " .. tostring(e.value) end
        error(mode .. ": the checker says " .. tostring(got) .. ", brute force " .. tostring(want) .. " (init " .. init .. ")\n"
              .. table.concat(lines, "\n"))
      end
    end
  end
  assert(checked == 600 and failing > 100 and failing < 500, failing)
end)
