-- Assert-style tests of nodes, the network and cluster-wide names
-- (docs/cluster.md). Each must hold under every schedule.
local ls = lockstep

local function down_reason(m) return m[1] == "DOWN" and m[4] end

ls.test("cluster: start_nodes returns handles; processes run where spawned", function()
  local nodes = ls.cluster.start_nodes({ "a", "b" })
  assert(#nodes == 2 and nodes[1] == "a" and nodes[2] == "b")
  assert(ls.node() == "main" and ls.node(ls.self()) == "main")
  local root = ls.self()
  local p = ls.spawn_on("a", function()
    local child = ls.spawn(function() end)  -- a process spawns on its own node
    ls.send(root, { ls.node(), ls.node(child) })
  end)
  assert(ls.node(p) == "a")
  local m = ls.receive()
  assert(m[1] == "a" and m[2] == "a")
  assert(ls.cluster.run == ls.spawn_on)
  local ok, err = pcall(ls.cluster.start_nodes, { "a" })
  assert(not ok and tostring(err):find("already exists"), tostring(err))
  ok, err = pcall(ls.spawn_on, "nowhere", function() end)
  assert(not ok and tostring(err):find("no node is named"), tostring(err))
end)

ls.test("network: messages from one sender to one receiver arrive in order", function()
  ls.cluster.start_nodes({ "a", "b" })
  local root = ls.self()
  local sink = ls.spawn_on("b", function()
    local got = {}
    for i = 1, 6 do got[i] = ls.receive() end
    ls.send(root, got)
  end)
  for _, n in ipairs({ "a", "main" }) do
    ls.spawn_on(n, function()
      for i = 1, 3 do ls.send(sink, { n, i }) end
    end)
  end
  local got = ls.receive()
  local last = {}
  for _, m in ipairs(got) do
    assert((last[m[1]] or 0) + 1 == m[2], "out of order from " .. m[1])
    last[m[1]] = m[2]
  end
end)

ls.test("network: virtual time waits for messages in flight", function()
  ls.cluster.start_nodes({ "b" })
  local root = ls.self()
  local echo = ls.spawn_on("b", function()
    while true do
      local m = ls.receive()
      ls.send(m[1], m[2])
    end
  end)
  ls.send(echo, { root, "ping" })
  assert(ls.receive(nil, 1) == "ping", "a reply in flight lost the race with a 1 ms timeout")
end)

ls.test("partition: defer holds messages until heal", function()
  ls.cluster.start_nodes({ "b" })
  local root = ls.self()
  local p = ls.spawn_on("b", function() ls.send(root, ls.receive()) end)
  ls.cluster.partition({ "main" }, { "b" })
  ls.send(p, "hi")
  assert(ls.receive(nil, 100) == nil, "crossed a deferring partition")
  ls.cluster.heal()
  assert(ls.receive() == "hi")
end)

ls.test("partition: drop loses what is delivered across it", function()
  ls.cluster.start_nodes({ "b" })
  local root = ls.self()
  local p = ls.spawn_on("b", function() ls.send(root, ls.receive()) end)
  ls.cluster.partition("main", "b", { mode = "drop" })
  ls.send(p, "lost")
  ls.sleep(1)  -- time waits for the delivery: it happens across the partition
  ls.cluster.heal()
  ls.send(p, "kept")
  assert(ls.receive() == "kept")
end)

ls.test("partition: one-way cuts only one direction", function()
  ls.cluster.start_nodes({ "b" })
  local root = ls.self()
  local p = ls.spawn_on("b", function()
    local m = ls.receive(nil, 50)
    ls.send(root, m or "nothing")
  end)
  ls.cluster.partition({ "main" }, { "b" }, { oneway = true, mode = "drop" })
  ls.send(p, "to b")                    -- main -> b is cut
  assert(ls.receive() == "nothing")     -- b -> main is not
  ls.cluster.heal()
end)

ls.test("partition: isolate cuts one node from all others; heal(a) heals it", function()
  ls.cluster.start_nodes({ "a", "b" })
  local root = ls.self()
  local pa = ls.spawn_on("a", function() ls.send(root, ls.receive()) end)
  local pb = ls.spawn_on("b", function() ls.send(root, ls.receive()) end)
  ls.cluster.isolate("b")
  ls.send(pa, "a")
  ls.send(pb, "b")
  assert(ls.receive() == "a")
  assert(ls.receive(nil, 10) == nil)
  ls.cluster.heal("b")
  assert(ls.receive() == "b")
  local ok, err = pcall(ls.cluster.partition, { "a" }, { "a" })
  assert(not ok and tostring(err):find("both sides"), tostring(err))
end)

ls.test("partition: links and monitors across it get noconnection", function()
  ls.cluster.start_nodes({ "b" })
  ls.trap_exit(true)
  local linked = ls.spawn_link_on("b", function() ls.receive() end)
  local watched = ls.spawn_on("b", function() ls.receive() end)
  local ref = ls.monitor(watched)
  ls.cluster.partition({ "main" }, { "b" })
  local got = {}
  for _ = 1, 2 do
    local m = ls.receive()
    got[m[1]] = m
  end
  assert(got.EXIT[2] == linked and got.EXIT[3] == "noconnection")
  assert(got.DOWN[2] == ref and got.DOWN[4] == "noconnection")
  -- The other side saw the link break too: `linked` was killed.
  ls.cluster.heal()
  ls.sleep(1)
  assert(not ls.is_alive(linked))
  assert(ls.is_alive(watched))
  -- Across a partition a new monitor reports noconnection at once.
  ls.cluster.partition({ "main" }, { "b" })
  ls.monitor(watched)
  assert(down_reason(ls.receive()) == "noconnection")
end)

ls.test("stop_node: its processes die; monitors elsewhere get noconnection", function()
  ls.cluster.start_nodes({ "b" })
  local p = ls.spawn_on("b", function() ls.receive() end)
  ls.monitor(p)
  assert(ls.cluster.stop_node("b") == true)
  assert(down_reason(ls.receive()) == "noconnection")
  assert(not ls.is_alive(p))
  assert(ls.cluster.stop_node("b") == false)  -- already down
  -- A spawn on a down node gives a pid that is already dead.
  local dead, ref = ls.spawn_monitor_on("b", function() error("never runs") end)
  assert(down_reason(ls.receive()) == "noconnection")
  assert(not ls.is_alive(dead))
  -- Messages to it are lost.
  ls.send(p, "into the void")
  assert(ls.cluster.start_node("b") == true)
  local root = ls.self()
  local q = ls.spawn_on("b", function() ls.send(root, "back") end)
  assert(q ~= p and ls.receive() == "back")
  local ok, err = pcall(ls.cluster.stop_node, "main")
  assert(not ok and tostring(err):find("root"), tostring(err))
end)

ls.test("stop_node: what it had in flight is lost, names are freed", function()
  ls.cluster.start_nodes({ "b" })
  local root = ls.self()
  ls.spawn_on("b", function()
    ls.register("svc", ls.self())
    ls.send(root, "registered")
    ls.send(root, "maybe lost")
    ls.receive()
  end)
  assert(ls.receive(function(m) return m == "registered" end) == "registered")
  ls.cluster.stop_node("b")
  ls.cluster.start_node("b")
  ls.spawn_on("b", function()
    ls.register("svc", ls.self())  -- the name is free on the new incarnation
    ls.send(root, "again")
  end)
  local m = ls.receive(function(m) return m == "again" end)
  assert(m == "again")
end)

ls.test("names: each node has its own registry; {name, node} reaches it", function()
  ls.cluster.start_nodes({ "b" })
  local root = ls.self()
  local p = ls.spawn_on("b", function()
    ls.register("srv", ls.self())
    ls.send(root, "ready")
    while true do
      local m = ls.receive()
      ls.send(m[1], { "got", m[2], ls.registered() })
    end
  end)
  assert(ls.receive() == "ready")
  assert(ls.whereis("srv") == nil, "a name on b is not registered on main")
  ls.send({ "srv", "b" }, { root, "x" })
  local r = ls.receive()
  assert(r[2] == "x" and r[3][1] == "srv")
  ls.send({ "nobody", "b" }, "dropped silently")  -- as Erlang: a remote name is not checked
  local ok, err = pcall(ls.register, "mine", p)
  assert(not ok and tostring(err):find("own node"), tostring(err))
end)

ls.test("links and monitors between nodes: the DOWN follows the last message", function()
  ls.cluster.start_nodes({ "b" })
  local root = ls.self()
  local p, ref = ls.spawn_monitor_on("b", function()
    ls.send(root, "last words")
  end)
  assert(ls.receive() == "last words")
  local m = ls.receive()
  assert(m[1] == "DOWN" and m[2] == ref and m[4] == "normal")
  -- An exit signal to another node arrives too.
  local victim = ls.spawn_on("b", function() ls.receive() end)
  ls.monitor(victim)
  ls.exit(victim, "shutdown")
  assert(down_reason(ls.receive()) == "shutdown")
end)

ls.test("send_after to another node travels like a send", function()
  ls.cluster.start_nodes({ "b" })
  local root = ls.self()
  local p = ls.spawn_on("b", function() ls.send(root, ls.receive()) end)
  ls.send_after(p, "later", 10)
  assert(ls.receive() == "later")
  assert(ls.now() >= 10)
end)

ls.test("global: one name for the whole cluster", function()
  ls.cluster.start_nodes({ "b", "c" })
  local root = ls.self()
  local p = ls.spawn_on("b", function()
    while true do
      local m = ls.receive()
      ls.send(m, "pong")
    end
  end)
  assert(ls.global.register_name("leader", p) == true)
  assert(ls.global.register_name("leader", root) == false)
  ls.spawn_on("c", function()
    ls.send(root, { ls.global.whereis_name("leader"), ls.global.send("leader", root) })
  end)
  local seen = {}
  for _ = 1, 2 do
    local m = ls.receive()
    if m == "pong" then seen.pong = true else seen.where = m end
  end
  assert(seen.pong and seen.where[1] == p and seen.where[2] == p)
  ls.global.unregister_name("leader")
  assert(ls.global.whereis_name("leader") == nil)
  assert(ls.global.register_name("leader", p) == true)
  ls.exit(p, "kill")
  ls.sleep(1)
  assert(ls.global.whereis_name("leader") == nil, "a dead process keeps no name")
  local ok, err = pcall(ls.global.send, "leader", "x")
  assert(not ok and tostring(err):find("not registered") or tostring(err):find("no process"), tostring(err))
end)

ls.test("global: a name taken on both sides of a partition keeps one owner on heal", function()
  ls.cluster.start_nodes({ "b" })
  local root = ls.self()
  local function leader() ls.receive() end
  ls.spawn_on("b", function()
    ls.sleep(10)  -- by now the partition is up
    local theirs = ls.spawn(leader)
    ls.send(root, { theirs, ls.global.register_name("leader", theirs) })
  end)
  ls.cluster.partition({ "main" }, { "b" })
  local mine = ls.spawn(leader)
  assert(ls.global.register_name("leader", mine) == true)
  ls.sleep(20)
  ls.cluster.heal()
  local m = ls.receive()
  local theirs = m[1]
  assert(m[2] == true, "b saw main's name across the partition")
  ls.sleep(1)
  local owner = ls.global.whereis_name("leader")
  assert(owner == mine or owner == theirs)
  assert(ls.is_alive(owner))
  local loser = owner == mine and theirs or mine
  assert(not ls.is_alive(loser), "the other registrant is killed")
end)

ls.test("rpc: call, cast, badrpc", function()
  ls.cluster.start_nodes({ "b" })
  local a, b = ls.rpc.call("b", function(x, y) return ls.node(), x + y end, 2, 3)
  assert(a == "b" and b == 5)
  local r, bad, why = ls.rpc.call("b", function() error("boom", 0) end)
  assert(r == nil and bad == "badrpc" and why[1] == "EXIT" and why[2] == "boom")
  r, bad, why = ls.rpc.call_timeout("b", 10, function() ls.sleep(1000) end)
  assert(r == nil and bad == "badrpc" and why == "timeout")
  local root = ls.self()
  assert(ls.rpc.cast("b", function() ls.send(root, "cast") end) == true)
  assert(ls.receive(function(m) return m == "cast" end) == "cast")
  ls.cluster.stop_node("b")
  r, bad, why = ls.rpc.call("b", function() return 1 end)
  assert(r == nil and bad == "badrpc" and why == "nodedown")
end)

ls.test("rpc: a node stopped during the call gives nodedown", function()
  ls.cluster.start_nodes({ "b" })
  local stopper = ls.spawn(function()
    ls.receive()  -- told the call is running
    ls.cluster.stop_node("b")
  end)
  local r, bad, why = ls.rpc.call("b", function()
    ls.send(stopper, "running")
    ls.receive()  -- waits until its node stops
  end)
  assert(r == nil and bad == "badrpc" and why == "nodedown")
end)

ls.test("disk: synced writes survive a restart; unsynced ones may not", function()
  ls.cluster.start_nodes({ "b" })
  local root = ls.self()
  ls.spawn_on("b", function()
    ls.disk.put("term", 3)
    ls.disk.put({ "log", 1 }, { op = "set", v = 7 })
    assert(ls.disk.get("term") == 3, "a node reads its own unsynced writes")
    ls.disk.sync()
    ls.disk.put("term", 4)     -- not synced
    ls.disk.delete({ "log", 1 }) -- not synced
    ls.send(root, "written")
    ls.receive()
  end)
  assert(ls.receive() == "written")
  assert(ls.disk.get("term") == nil, "each node has its own disk")
  ls.cluster.stop_node("b")
  ls.cluster.start_node("b")
  local term, log = ls.rpc.call("b", function()
    return ls.disk.get("term"), ls.disk.get({ "log", 1 }, "gone")
  end)
  assert(ls.rpc.call("b", function() return ls.disk.get("missing", "default") end) == "default")
  assert(term == 3 or term == 4, tostring(term))
  -- A prefix of the unsynced writes is kept: the delete only after the put.
  if term == 3 then assert(type(log) == "table" and log.v == 7) end
  assert(log == "gone" or (type(log) == "table" and log.v == 7))
end)

ls.test("boot: runs on each node at start and again after every restart, reading its disk", function()
  local root = ls.self()
  local a, b = table.unpack(ls.cluster.start_nodes({ "a", "b" }, {
    boot = function(node)
      local boots = ls.disk.get("boots", 0) + 1
      ls.disk.put("boots", boots)
      ls.disk.sync()
      ls.register("svc", ls.self())
      ls.send(root, { "booted", node, boots, ls.node() })
      while true do
        local m = ls.receive()
        ls.send(m.from, { "svc", node, boots })
      end
    end,
  }))
  local seen = {}
  for _ = 1, 2 do
    local m = ls.receive()
    assert(m[1] == "booted" and m[3] == 1 and m[2] == m[4], tostring(m[1]) .. " " .. tostring(m[3]))
    seen[m[2]] = true
  end
  assert(seen[a] and seen[b])
  ls.send({ "svc", b }, { from = ls.self() })
  assert(ls.receive()[3] == 1)
  ls.cluster.stop_node("b")
  ls.cluster.start_node("b")
  local m = ls.receive()
  assert(m[1] == "booted" and m[2] == "b" and m[3] == 2, tostring(m[1]) .. " " .. tostring(m[3]))
  ls.send({ "svc", "b" }, { from = ls.self() })
  local r = ls.receive()
  assert(r[2] == "b" and r[3] == 2, "the rebooted service answers, having read its disk")
  local ok, err = pcall(ls.cluster.start_nodes, { "c" }, { boot = 1 })
  assert(not ok and err:find("boot must be a function"), err)
  ok, err = pcall(ls.cluster.start_nodes, { "c" }, { bot = function() end })
  assert(not ok and err:find("unknown option 'bot'"), err)
end)

ls.test("spawn_on: {node, register} names the process in the spawn's own step", function()
  ls.cluster.start_nodes({ "b" })
  local root = ls.self()
  local srv = ls.spawn_on({ node = "b", register = "srv" }, function()
    local m = ls.receive()
    ls.send(m.from, { "pong", ls.node() })
  end)
  -- No set-up race: the name is there before any other step.
  ls.send({ "srv", "b" }, { from = root })
  local reply = ls.receive()
  assert(reply[1] == "pong" and reply[2] == "b")
  assert(ls.node(srv) == "b")
  -- Taken on that node: an error, and no process.
  local ok, err = pcall(ls.spawn_on, { node = "b", register = "srv" }, function() end)
  assert(ok or not ok)  -- srv may have ended; what matters is below
  local holder = ls.spawn_on({ node = "b", register = "keep" }, function() ls.receive() end)
  ok, err = pcall(ls.spawn_link_on, { node = "b", register = "keep" }, function() end)
  assert(not ok and tostring(err):find('"keep" is already registered'), tostring(err))
  -- The same name on another node is another name.
  local here = ls.spawn({ register = "keep" }, function() ls.receive() end)
  assert(ls.whereis("keep") == here)
  ls.send(holder, "done")
  ls.send(here, "done")
end)
