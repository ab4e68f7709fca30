-- Assert-style tests of the Lua runtime, run by lua_runtime_test.cc: every
-- test here must pass under every strategy.
local ls = lockstep

ls.test("messages are copied on send", function()
  local t = { 1, { 2 } }
  ls.send(ls.self(), t)
  t[1] = 99
  t[2][1] = 99
  local got = ls.receive()
  assert(got[1] == 1 and got[2][1] == 2)
  assert(got ~= t)
end)

ls.test("numbers and booleans arrive as sent, subtype and all", function()
  local me = ls.self()
  local sent = { 0, 1, -7, math.maxinteger, math.mininteger, 1.0, -0.0, 0.5, 1e300, math.huge, -math.huge,
                 true, false }
  for _, v in ipairs(sent) do ls.send(me, v) end
  ls.send(me, 0 / 0)
  for i, v in ipairs(sent) do
    local got = ls.receive()
    assert(got == v and math.type(got) == math.type(v) and type(got) == type(v),
           "message " .. i .. ": sent " .. tostring(v) .. ", got " .. tostring(got))
    if v == 0 and math.type(v) == "float" then assert(1 / got == 1 / v, "-0.0 kept its sign") end
  end
  local nan = ls.receive()
  assert(nan ~= nan, "NaN arrives as NaN")
  -- Through a process that forwards what it receives, and in a table.
  local echo = ls.spawn(function() for _ = 1, 3 do local m = ls.receive(); ls.send(me, m) end end)
  ls.send(echo, 2 ^ 53)
  ls.send(echo, false)
  ls.send(echo, { 3, 3.0, true })
  assert(math.type(ls.receive()) == "float")
  assert(ls.receive() == false)
  local t = ls.receive()
  assert(math.type(t[1]) == "integer" and math.type(t[2]) == "float" and t[3] == true)
end)

ls.test("a copy keeps every key and its kind, sequences or not", function()
  local mt = { __index = function() return "dflt" end }
  local shapes = {
    { 1, 2, 3 },                         -- a sequence
    { [1] = "a", [3] = "c" },            -- a hole
    { 1, 2, x = "y" },                   -- a sequence and a field
    { ["1"] = "s", [1] = "i" },          -- a string that reads as a number
    { [2.5] = "f", [1] = "i", [2] = "j" },
    { [true] = 1, [false] = 0 },
    { [{ 1 }] = "table key" },
    setmetatable({ 7 }, mt),
    {},
  }
  for i, t in ipairs(shapes) do
    ls.send(ls.self(), t)
    local got = ls.receive()
    local keys = 0
    for k, v in pairs(t) do
      keys = keys + 1
      if type(k) == "table" then  -- copied too: found by its content
        local found = false
        for k2, v2 in pairs(got) do
          found = found or (type(k2) == "table" and k2 ~= k and k2[1] == k[1] and v2 == v)
        end
        assert(found, "shape " .. i .. ": a table key was lost")
      else  -- rawget finds a key only under its own type ("1" is not 1)
        assert(rawget(got, k) == v, "shape " .. i .. ": key " .. tostring(k) .. " lost its value")
      end
    end
    for _ in pairs(got) do keys = keys - 1 end
    assert(keys == 0, "shape " .. i .. ": the copy has another number of keys")
    assert(getmetatable(got) == getmetatable(t), "shape " .. i .. ": metatable not kept")
  end
  assert(rawget(shapes[4], "1") == "s" and rawget(shapes[4], 1) == "i")
end)

ls.test("receive takes a match function, a timeout, both, or neither", function()
  local me = ls.self()
  ls.send(me, 1); ls.send(me, 2)
  assert(ls.receive() == 1)
  assert(ls.receive(function(m) return m == 2 end) == 2)
  assert(ls.receive(0) == nil and ls.receive(nil, 0) == nil)
  assert(ls.receive(function() return true end, 0) == nil)
  ls.send(me, 3)
  assert(ls.receive("infinity") == 3)
  ls.send(me, 4)
  assert(ls.receive(nil, "infinity") == 4)
  ls.send(me, 5)
  assert(ls.receive(nil, nil) == 5)
  for _, bad in ipairs({ { true }, { {} }, { nil, true }, { "soon" }, { function() end, {} } }) do
    local ok, err = pcall(ls.receive, bad[1], bad[2])
    assert(not ok and (err:find("function expected") or err:find("milliseconds")), tostring(err))
  end
end)

ls.test("cyclic messages are rejected clearly", function()
  local t = {}
  t.self = t
  local ok, err = pcall(ls.send, ls.self(), t)
  assert(not ok and err:find("cycle"), err)
end)

ls.test("functions travel by reference", function()
  local f = function() return 42 end
  ls.send(ls.self(), { f = f })
  assert(ls.receive().f == f)
end)

ls.test("pids are interned and work as keys", function()
  local p = ls.spawn(function() ls.receive() end)
  local seen = { [p] = "x" }
  ls.send(ls.self(), p)
  local q = ls.receive()
  assert(q == p and seen[q] == "x")
  assert(tostring(p) == "P1", tostring(p))
  assert(tostring(ls.self()) == "P0")
end)

ls.test("spawn arguments are copied", function()
  local arg = { n = 1 }
  local parent = ls.self()
  ls.spawn(function(a, b) ls.send(parent, { a.n, b }) end, arg, "b")
  arg.n = 2
  local got = ls.receive()
  assert(got[1] == 1 and got[2] == "b")
end)

ls.test("selective receive leaves other messages queued", function()
  local me = ls.self()
  ls.send(me, "a"); ls.send(me, "b"); ls.send(me, "c")
  assert(ls.receive(function(m) return m == "b" end) == "b")
  assert(ls.receive() == "a")
  assert(ls.receive() == "c")
end)

ls.test("receive with timeout 0 polls", function()
  assert(ls.receive(nil, 0) == nil)
  ls.send(ls.self(), 1)
  assert(ls.receive(nil, 0) == 1)
  assert(ls.now() == 0)
end)

ls.test("a sync point inside a match function is an error", function()
  ls.send(ls.self(), 1)
  local ok, err = pcall(ls.receive, function(m) ls.send(ls.self(), 2) return true end)
  assert(not ok and err:find("pure"), err)
end)

ls.test("virtual time: sleep, send_after, cancel_timer", function()
  ls.sleep(100)
  assert(ls.now() == 100)
  local t = ls.send_after(ls.self(), "late", 50)
  local t2 = ls.send_after(ls.self(), "never", 10)
  assert(ls.cancel_timer(t2) == 10)
  assert(ls.cancel_timer(t2) == false)
  assert(ls.receive() == "late")
  assert(ls.now() == 150)
  assert(os.time() == 0 and os.clock() == 0.15)
end)

ls.test("send_after to a name resolves when it fires", function()
  ls.send_after("later", "hi", 5)
  ls.register("later", ls.self())
  assert(ls.receive(nil, 100) == "hi")
end)

ls.test("links, trap_exit and exit reasons", function()
  assert(ls.trap_exit(true) == false)
  local p = ls.spawn_link(function() ls.exit("custom") end)
  local m = ls.receive()
  assert(m[1] == "EXIT" and m[2] == p and m[3] == "custom", tostring(m[3]))
  local q = ls.spawn_link(function() end)
  m = ls.receive()
  assert(m[1] == "EXIT" and m[2] == q and m[3] == "normal")
end)

ls.test("exit signals: normal is ignored, others kill", function()
  local p = ls.spawn(function() ls.receive() end)
  local ref = ls.monitor(p)
  ls.exit(p, "normal")
  assert(ls.is_alive(p))
  ls.exit(p, "shutdown")
  local m = ls.receive()
  assert(m[1] == "DOWN" and m[2] == ref and m[4] == "shutdown", tostring(m[4]))
end)

ls.test("linking to a dead process delivers noproc", function()
  ls.trap_exit(true)
  local p = ls.spawn(function() end)
  local ref = ls.monitor(p)
  ls.receive(function(m) return m[1] == "DOWN" end)
  ls.link(p)
  local m = ls.receive()
  assert(m[1] == "EXIT" and m[3] == "noproc")
end)

ls.test("linking to a dead process without trapping raises noproc, which pcall catches", function()
  local p = ls.spawn(function() end)
  ls.monitor(p)
  ls.receive(function(m) return m[1] == "DOWN" end)
  local ok, err = pcall(ls.link, p)
  assert(not ok and err == "noproc", tostring(err))
  assert(ls.is_alive(ls.self()))
  assert(ls.receive(nil, 0) == nil) -- no EXIT message either
end)

ls.test("spawn_monitor monitors from the first instant", function()
  -- Even a child that ends at once reports its own reason, never noproc.
  local pid, ref = ls.spawn_monitor(function(x) ls.exit(x) end, "bye")
  local m = ls.receive(function(m) return m[1] == "DOWN" and m[2] == ref end)
  assert(m[3] == pid and m[4] == "bye", tostring(m[4]))
  local pid2, ref2 = ls.spawn_monitor(function() ls.receive() end)
  assert(ls.demonitor(ref2))
  ls.exit(pid2, "kill")
  assert(ls.receive(nil, 0) == nil) -- demonitored: no DOWN
end)

ls.test("demonitor with flush removes a queued DOWN", function()
  local p = ls.spawn(function() end)
  local ref = ls.monitor(p)
  ls.sleep(1) -- p has ended and its DOWN is queued
  ls.demonitor(ref, { flush = true })
  assert(ls.receive(nil, 0) == nil)
end)

-- A DOWN that a match function has been shown (it did not take it) is
-- still the DOWN that demonitor's flush removes.
ls.test("demonitor with flush removes a DOWN a match function has seen", function()
  local p = ls.spawn(function() ls.receive() end)
  local ref = ls.monitor(p)
  ls.exit(p, "kill")
  ls.receive(function(m) return m == "never" end, 10)
  ls.demonitor(ref, { flush = true })
  assert(ls.receive(nil, 0) == nil, "the DOWN is gone")
end)

ls.test("registry errors follow Erlang", function()
  local p = ls.spawn(function() ls.receive() end)
  ls.register("a", p)
  assert(not pcall(ls.register, "b", p), "a process has one name")
  assert(not pcall(ls.unregister, "zzz"))
  assert(ls.whereis("zzz") == nil)
  local names = ls.registered()
  assert(#names == 1 and names[1] == "a")
  local dead = ls.spawn(function() end)
  ls.sleep(1)
  local ok, err = pcall(ls.register, "c", dead)
  assert(not ok and err:find("not alive"), err)
end)

ls.test("controlled choices are in range", function()
  for _ = 1, 20 do
    local v = ls.random_int(3, 5)
    assert(v >= 3 and v <= 5)
    local c = ls.choose({ "x", "y" })
    assert(c == "x" or c == "y")
    local f = math.random()
    assert(f >= 0 and f < 1)
    local r = math.random(4)
    assert(r >= 1 and r <= 4)
  end
  assert(type(ls.random_bool()) == "boolean")
end)

ls.test("pairs and next visit keys in a fixed order", function()
  local t = { z = 1, a = 2, [3] = 3, [1] = 4, [true] = 5, m = 6 }
  local order = {}
  for k in pairs(t) do order[#order + 1] = tostring(k) end
  assert(table.concat(order, " ") == "1 3 a m z true", table.concat(order, " "))
  local k, seen = next(t), 0
  while k ~= nil do
    seen = seen + 1
    k = next(t, k)
  end
  assert(seen == 6)
  assert(next({}) == nil)
  local p1, p2 = ls.spawn(function() end), ls.spawn(function() end)
  local byp = { [p2] = 2, [p1] = 1 }
  local first = next(byp)
  assert(first == p1)
end)

ls.test("user coroutines can reach sync points", function()
  local me = ls.self()
  local co = coroutine.create(function(x)
    ls.send(me, x)
    local y = coroutine.yield(ls.receive())
    return y * 2
  end)
  local ok, v = coroutine.resume(co, 21)
  assert(ok and v == 21)
  local ok2, w = coroutine.resume(co, 5)
  assert(ok2 and w == 10)
  assert(coroutine.status(co) == "dead")
  -- errors inside still surface as resume's false
  local bad = coroutine.create(function() ls.send(me, 1); error("inner") end)
  local okb, err = coroutine.resume(bad)
  assert(not okb and err:find("inner"))
  ls.receive()
end)

ls.test("sync points inside deeply nested pcalls and coroutines", function()
  local me = ls.self()
  local function nest(n)
    if n == 0 then
      ls.send(me, "deep")
      return ls.receive()
    end
    local ok, v = pcall(nest, n - 1)
    assert(ok, v)
    return v
  end
  assert(nest(150) == "deep")
  local co = coroutine.wrap(function()
    for i = 1, 3 do
      ls.send(me, i)
      coroutine.yield(ls.receive())
    end
  end)
  assert(co() == 1 and co() == 2 and co() == 3)
end)

ls.test("C stack overflow in a process is an error, not a crash", function()
  local t = setmetatable({}, { __index = function(t, k) return t[k + 1] end })
  local ok, err = pcall(function() return t[1] end)
  assert(not ok and tostring(err):find("stack overflow"), err)
  local function gsub_deep(n)
    if n == 0 then return "x" end
    return (string.gsub("a", "a", function() return gsub_deep(n - 1) end))
  end
  local ok2, err2 = pcall(gsub_deep, 1000)
  assert(not ok2 and tostring(err2):find("overflow"), err2)
  -- the process still reaches sync points afterwards
  ls.send(ls.self(), "after")
  assert(ls.receive() == "after")
end)

ls.test("sync points are refused where Lua cannot suspend", function()
  local ok, err = pcall(table.sort, { 3, 1, 2 }, function(a, b)
    ls.send(ls.self(), a)
    return a < b
  end)
  assert(not ok and err:find("cannot suspend here"), err)
end)

ls.test("thousands of live processes", { max_steps = 100000 }, function()
  local me = ls.self()
  local n = 2000
  local pids = {}
  for i = 1, n do
    pids[i] = ls.spawn(function() ls.send(me, ls.receive() + 1) end)
  end
  -- all n are now blocked in receive, each on its own stack
  for i = 1, n do ls.send(pids[i], i) end
  local sum = 0
  for i = 1, n do sum = sum + ls.receive() end
  assert(sum == n * (n + 1) / 2 + n, sum)
end)

-- Each iteration starts from the state the top level left, however the
-- previous one changed it.
local shared = { n = 0, list = {} }
ls.test("iterations start from the top level's state", function()
  assert(shared.n == 0 and #shared.list == 0, "state leaked from an earlier iteration")
  assert(rawget(_G, "leaked_global") == nil and string.leaked == nil)
  shared.n = shared.n + 1
  shared.list[#shared.list + 1] = ls.spawn(function() end)
  leaked_global = true
  string.leaked = true
  for i = 1, 200 do shared.list[#shared.list + 1] = { i } end
end)

ls.test("a bare coroutine.yield in a process is an error", { allow_crashes = true }, function()
  local p = ls.spawn(function() coroutine.yield() end)
  local ref = ls.monitor(p)
  assert(ls.receive()[1] == "DOWN")
end)

ls.test("the sandbox: no processes, no writes, no real time", function()
  assert(os.execute == nil and os.exit == nil and os.getenv == nil and io.popen == nil)
  assert(io.write == nil)
  local ok, err = pcall(io.open, "/tmp/lockstep-should-not-exist", "w")
  assert(not ok and err:find("only read"), err)
  assert(require("lockstep") == lockstep)
end)

ls.test("invariants see state between steps", function()
  local x = { v = 0 }
  ls.invariant("v never 2", function() return x.v ~= 2 end)
  x.v = 1
  ls.send(ls.self(), "tick")
  ls.receive()
end)

ls.test("invariants are read-only", function()
  local err
  ls.invariant("no sends", function()
    local ok, e = pcall(ls.send, "anyone", 1)
    if not ok then err = e end
    return true
  end)
  ls.send(ls.self(), 1)
  ls.receive()
  assert(err and err:find("read%-only"), tostring(err))
end)

ls.test("log and labels do not change the schedule", function()
  ls.label("worker")
  ls.log("hello", 1, { a = 1 })
  print("also", "logged")
end)

ls.test("atomics: arithmetic, exchange, compare_exchange", function()
  local a = ls.atomics.new(2)
  assert(ls.atomics.get(a, 1) == 0)
  ls.atomics.put(a, 1, 5)
  ls.atomics.add(a, 1, 3)
  assert(ls.atomics.add_get(a, 1, 2) == 10)
  assert(ls.atomics.sub_get(a, 1, 4) == 6)
  ls.atomics.sub(a, 1, 1)
  assert(ls.atomics.exchange(a, 1, 42) == 5)
  assert(ls.atomics.compare_exchange(a, 1, 42, 7) == true)
  local ok, current = ls.atomics.compare_exchange(a, 1, 42, 8)
  assert(ok == false and current == 7)
  assert(ls.atomics.get(a, 2) == 0)
  assert(not pcall(ls.atomics.get, a, 3), "index out of range")
  assert(not pcall(ls.atomics.get, a, 0), "indexes start at 1")
  assert(tostring(a):find("#Atomics<"))
end)

ls.test("atomics wrap around at 64 bits", function()
  local s = ls.atomics.new(1)
  ls.atomics.put(s, 1, math.maxinteger)
  assert(ls.atomics.add_get(s, 1, 1) == math.mininteger)
  local u = ls.atomics.new(1, { signed = false })
  assert(ls.atomics.sub_get(u, 1, 1) == 2.0 ^ 64 - 1)
  assert(ls.atomics.add_get(u, 1, 1) == 0)
  assert(not pcall(ls.atomics.put, u, 1, -1), "unsigned arrays reject negatives")
end)

ls.test("atomics are shared between processes", function()
  local a = ls.atomics.new(1)
  local parent = ls.self()
  for _ = 1, 3 do
    ls.spawn(function() ls.atomics.add(a, 1, 1); ls.send(parent, "done") end)
  end
  for _ = 1, 3 do ls.receive() end
  assert(ls.atomics.get(a, 1) == 3)
end)

ls.test("persistent_term: put, get with default, erase, copies", function()
  assert(ls.persistent_term.get("missing", "dflt") == "dflt")
  assert(not pcall(ls.persistent_term.get, "missing"))
  local t = { n = 1 }
  ls.persistent_term.put({ "config", 1 }, t)
  t.n = 2
  local got = ls.persistent_term.get({ "config", 1.0 })
  assert(got.n == 1, "stored values are copies")
  got.n = 3
  assert(ls.persistent_term.get({ "config", 1 }).n == 1, "read values are copies")
  assert(ls.persistent_term.erase({ "config", 1 }) == true)
  assert(ls.persistent_term.erase({ "config", 1 }) == false)
  assert(ls.persistent_term.get({ "config", 1 }, nil) == nil)
end)

ls.test("invariants read atomics and persistent terms directly", function()
  local a = ls.atomics.new(1)
  ls.persistent_term.put("limit", 2)
  ls.invariant("within limit", function()
    return ls.atomics.get(a, 1) <= ls.persistent_term.get("limit")
  end)
  ls.atomics.add(a, 1, 1)
  ls.atomics.add(a, 1, 1)
end)

ls.test("receive(ms) waits for any message, or times out", function()
  local me = ls.self()
  ls.send(me, "queued")
  assert(ls.receive(100) == "queued") -- a message already waiting
  ls.spawn(function() ls.send(me, "later") end)
  assert(ls.receive(100) == "later") -- one that arrives while waiting
  assert(ls.receive(10) == nil)      -- none: the timeout
end)

ls.test("receive accepts \"infinity\" as no timeout", function()
  local me = ls.self()
  ls.spawn(function() ls.sleep(50) ls.send(me, "late") end)
  assert(ls.receive(nil, "infinity") == "late")
  local ok, err = pcall(ls.receive, nil, "soon")
  assert(not ok and err:find("number of milliseconds or \"infinity\"", 1, true), err)
end)

ls.test("the sandbox holds: no stock io or os, text chunks only, regular files only", function()
  assert(package.loaded.io.popen == nil and require("io").popen == nil, "popen reachable")
  assert(package.loaded.os.execute == nil and package.loaded.os.getenv == nil)
  for _, path in ipairs({ "/dev/urandom", "/proc/uptime", "/dev/stdin", "/sys/kernel/hostname" }) do
    local ok, err = pcall(io.open, path)
    assert(not ok and err:find("may not read", 1, true), tostring(err))
    ok, err = pcall(io.lines, path)
    assert(not ok, path)
  end
  local f, err = load(string.dump(function() return 1 end))
  assert(f == nil and err:find("binary", 1, true), tostring(err))
  assert(load("return 1 + 1")() == 2)
  assert(load("return x", "chunk", "bt", { x = 5 })() == 5)
  local ok, e2 = pcall(dofile, "/dev/zero")
  assert(not ok and e2:find("may not read", 1, true), tostring(e2))
end)

ls.test("no addresses: tostring and string.format show none", function()
  local t = {}
  assert(tostring(t):match("^table: #%d+$"), tostring(t))
  assert(tostring(print) == "function: builtin", tostring(print))
  assert(tostring(function() end):match("^function: #%d+$"))
  assert(tostring(ls.self()) == "P0" and tostring(5) == "5" and tostring(nil) == "nil")
  assert(string.format("%5.2f|%%p|%s", 1.5, "x") == " 1.50|%p|x")
  local ok, err = pcall(string.format, "%p", t)
  assert(not ok and err:find("not available", 1, true), err)
end)

ls.test("spawn takes up to 1,000 arguments and refuses more", function()
  local args = {}
  for i = 1, 1000 do args[i] = i end
  local me = ls.self()
  ls.spawn(function(...) ls.send(me, select("#", ...) + select(1000, ...)) end, table.unpack(args))
  assert(ls.receive() == 2000)
  args[1001] = 1
  local ok, err = pcall(ls.spawn, function() end, table.unpack(args))
  assert(not ok and err:find("too many arguments", 1, true), err)
end)

ls.test("math.random covers the whole integer range, as in stock Lua", function()
  for _ = 1, 20 do
    local v = math.random(math.mininteger, math.maxinteger)
    assert(math.type(v) == "integer")
  end
  local w = ls.random_int(-(1 << 62), 1 << 62)
  assert(w >= -(1 << 62) and w <= 1 << 62)
  assert(math.random(3, 3) == 3)
end)

ls.test("huge sleeps saturate at the end of time; math.huge sleeps forever", function()
  local me = ls.self()
  ls.spawn(function() ls.sleep(2^62) ls.sleep(2^62) ls.sleep(2^62) ls.send(me, "late") end)
  assert(ls.receive(nil, 1000) == nil, "three huge sleeps ended early")
  local p = ls.spawn(function() ls.sleep(math.huge) ls.send(me, "woke") end)
  assert(ls.receive(nil, 1e6) == nil)
  assert(ls.is_alive(p))
end)

-- This file names the agent module (and nothing else of the library but the
-- registry): it is in the saved state every iteration starts from, while a
-- module the file never names still loads on first use.
ls.test("library modules the scenario names are loaded before iterations start", function()
  assert(rawget(ls, "agent") ~= nil, "a module the file names was not preloaded")
  local unnamed = "gen_" .. "statem"
  assert(rawget(ls, unnamed) == nil, "a module the file never names was preloaded")
  assert(type(ls[unnamed].start) == "function")
  assert(rawget(ls, unnamed) ~= nil)
end)

ls.test("type() names every type as Lua's does", function()
  local names = { [1] = "number", [1.5] = "number", x = "string", [true] = "boolean" }
  for v, name in pairs(names) do assert(type(v) == name, tostring(v)) end
  assert(type(nil) == "nil" and type({}) == "table" and type(print) == "function")
  assert(type(function() end) == "function" and type(coroutine.create(print)) == "thread")
  assert(type(ls.self()) == "userdata", type(ls.self()))
  local t = type(type(1))
  assert(t == "string" and type(1) == "number" and rawequal(type(1), "number"))
  local ok, err = pcall(type)
  assert(not ok and err:find("bad argument #1 to 'type' %(value expected%)"), err)
end)
