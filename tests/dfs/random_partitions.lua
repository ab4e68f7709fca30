-- Random small programs on three nodes with partitions the program makes
-- itself, for checking dfs's reduction against every interleaving
-- (--dpor none) on the real runtime (tests/scenarios/dfs_cli_test.cc): two
-- workers on nodes "a" and "b" and the root on "main" send to each other
-- across the network and receive with timeouts, while a nemesis on "main"
-- cuts one node off (holding messages across the cut, or dropping them)
-- and heals it again, between operations of its own. Held messages are
-- delivered only after the heal: the search must not try them before it,
-- nor miss the orders the heal allows. Every receive has a timeout, so
-- no run deadlocks: each test passes in every schedule, and the two
-- searches must count the same classes.
--
-- The programs are drawn at load time from a fixed generator (not
-- ls.random: that would be a choice point), so every run of the file
-- defines the same tests.
local ls = lockstep

local state = 11
local function draw(n)
  state = (state * 1103515245 + 12345) % 2147483648
  return (state // 65536) % n
end

local TAGS = { "x", "y" }
local NODES = { "a", "b" }

-- One process's operations: a list of small tables interpreted by run().
local function draw_ops(n, me)
  local ops = {}
  for i = 1, n do
    if draw(2) == 0 then
      -- to the root or worker 2 (worker 2 sends only to the root or itself)
      local to = me == 2 and (draw(2) == 0 and 2 or 3) or (draw(2) + 2)
      ops[i] = { "send", to, TAGS[draw(2) + 1] }
    else
      ops[i] = { "receive", draw(2) == 0 and TAGS[draw(2) + 1] or nil, (draw(2) == 0 and 5 or 20) + me }
    end
  end
  return ops
end

local function run(ops, peers)
  for _, op in ipairs(ops) do
    if op[1] == "send" then
      ls.send(peers[op[2]], op[3])
    else
      ls.receive(op[2] and function(m) return m == op[2] end or nil, op[3])
    end
  end
end

for n = 1, 40 do
  local workers = {}
  for w = 1, 2 do workers[w] = draw_ops(1 + draw(2), w) end
  local root_ops = draw_ops(draw(2), 3)
  local cut = NODES[draw(2) + 1]
  local mode = draw(3) == 0 and "drop" or "defer"
  local heal_all = draw(2) == 0
  ls.test("random partitions " .. n, function()
    ls.cluster.start_nodes({ "a", "b" })
    -- Worker 2 knows the root; worker 1 knows worker 2 and the root.
    local peers = { false, false, ls.self() }
    peers[2] = ls.spawn_on("b", function() run(workers[2], peers) end)
    peers[1] = ls.spawn_on("a", function() run(workers[1], peers) end)
    ls.spawn(function()  -- the nemesis
      ls.cluster.isolate(cut, { mode = mode })
      if heal_all then ls.cluster.heal() else ls.cluster.heal(cut) end
    end)
    run(root_ops, peers)
  end)
end
