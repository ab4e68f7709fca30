-- Random small programs on three nodes with faults the search places, for
-- checking dfs's reduction against every interleaving (--dpor none) on
-- the real runtime (tests/scenarios/dfs_cli_test.cc): two workers on nodes
-- "a" and "b" and the root on its own node send to each other across the
-- network and receive with timeouts, under a budget of one or two faults
-- (a drop, a duplicate, a crash of a worker's node, a partition), some of
-- them only until the root has done its own operations. Every receive has a
-- timeout, so no run deadlocks: each test passes in every schedule, and
-- the two searches must count the same classes.
--
-- The programs are drawn at load time from a fixed generator (not
-- ls.random: that would be a choice point), so every run of the file
-- defines the same tests.
local ls = lockstep

local state = 7
local function draw(n)
  state = (state * 1103515245 + 12345) % 2147483648
  return (state // 65536) % n
end

local TAGS = { "x", "y" }
local FAULTS = { "drop", "duplicate", "crash", "partition" }

-- One process's operations: a list of small tables interpreted by run().
local function draw_ops(n, me)
  local ops = {}
  for i = 1, n do
    local kind = draw(3)
    if kind == 0 then
      -- to the root or worker 2 (worker 2 sends only to the root or itself)
      local to = me == 2 and (draw(2) == 0 and 2 or 3) or (draw(2) + 2)
      ops[i] = { "send", to, TAGS[draw(2) + 1] }
    elseif kind == 1 then
      ops[i] = { "receive", draw(2) == 0 and TAGS[draw(2) + 1] or nil, (draw(2) == 0 and 5 or 20) + me }
    else
      ops[i] = { "ets", draw(2) == 0 }  -- a write or a read of one shared row
    end
  end
  return ops
end

local function run(ops, peers, table)
  for _, op in ipairs(ops) do
    if op[1] == "send" then
      ls.send(peers[op[2]], op[3])
    elseif op[1] == "receive" then
      ls.receive(op[2] and function(m) return m == op[2] end or nil, op[3])
    elseif op[2] then
      ls.ets.insert(table, { "k", ls.self() })
    else
      ls.ets.lookup(table, "k")
    end
  end
end

for n = 1, 60 do
  local faults = { [FAULTS[draw(4) + 1]] = 1 }
  if draw(3) == 0 then faults[FAULTS[draw(4) + 1]] = 1 end
  local gated = draw(2) == 0  -- faults off again once the root's own operations are done
  local workers = {}
  for w = 1, 2 do workers[w] = draw_ops(1 + draw(2), w) end
  local root_ops = draw_ops(draw(2), 3)
  ls.test("random faults " .. n, { faults = faults }, function()
    ls.cluster.start_nodes({ "a", "b" })
    local table = ls.ets.new("t", { access = "public" })
    -- Worker 2 knows the root; worker 1 knows worker 2 and the root.
    local peers = { false, false, ls.self() }
    peers[2] = ls.spawn_on("b", function() run(workers[2], peers, table) end)
    peers[1] = ls.spawn_on("a", function() run(workers[1], peers, table) end)
    run(root_ops, peers, table)
    if gated then ls.cluster.faults(false) end
  end)
end
