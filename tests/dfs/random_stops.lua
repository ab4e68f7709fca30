-- Random small programs on three nodes where a nemesis stops a node, for
-- checking dfs's reduction against every interleaving (--dpor none) on
-- the real runtime (tests/scenarios/dfs_cli_test.cc): two workers on nodes
-- "a" and "b" send to the root and to each other across the network, and
-- the root and the workers receive with patterns and timeouts, so messages
-- from two channels meet in one mailbox; a nemesis on "main" stops one of
-- the workers' nodes (killing its worker if it has not ended, and losing
-- what is in flight to or from it), and may start it again and spawn a
-- late worker there. Every receive has a timeout, so no run deadlocks:
-- each test passes in every schedule, and the two searches must count the
-- same classes.
--
-- The programs are drawn at load time from a fixed generator (not
-- ls.random: that would be a choice point), so every run of the file
-- defines the same tests.
local ls = lockstep

local state = 23
local function draw(n)
  state = (state * 1103515245 + 12345) % 2147483648
  return (state // 65536) % n
end

local TAGS = { "x", "y" }
local NODES = { "a", "b" }

-- One process's operations: a list of small tables interpreted by run().
-- Worker 1 sends to worker 2 and the root (3), worker 2 to the root and
-- itself (worker 1 may not be spawned yet), the root to the workers.
local function draw_ops(n, me)
  local ops = {}
  for i = 1, n do
    if draw(2) == 0 then
      local to = me == 3 and draw(2) + 1 or me == 1 and (draw(3) == 0 and 2 or 3) or (draw(3) == 0 and 2 or 3)
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
  local root_ops = draw_ops(1 + draw(2), 3)
  local victim = NODES[draw(2) + 1]
  local restart = draw(2) == 0
  local late = restart and draw(2) == 0 and { { "send", 3, "y" } } or nil
  ls.test("random stops " .. n, function()
    ls.cluster.start_nodes({ "a", "b" })
    local peers = { false, false, ls.self() }
    peers[2] = ls.spawn_on("b", function() run(workers[2], peers) end)
    peers[1] = ls.spawn_on("a", function() run(workers[1], peers) end)
    ls.spawn(function()
      ls.cluster.stop_node(victim)
      if restart then
        ls.cluster.start_node(victim)
        if late then ls.spawn_on(victim, function() run(late, peers) end) end
      end
    end)
    run(root_ops, peers)
  end)
end
