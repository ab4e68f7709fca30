-- Random small programs whose timers fall due together while the root
-- sleeps past them, for checking dfs's reduction against every
-- interleaving (--dpor none) on the real runtime
-- (tests/scenarios/dfs_cli_test.cc). While the root waits for a later
-- time, every timer due now fires in every run that goes on (or a step it
-- depends on disarms it), so dfs makes no branch of each and lets an
-- asleep one cover the reversals it commutes with. The programs test what
-- that rests on: sleeps, receive timeouts and send_after timers due at one
-- instant; what disarms them (a message the receive takes, a cancel, a
-- kill of the sleeper, a crash of its node); faults beside them (a crash,
-- a partition, a message dropped); and steps that tell their
-- order (sends to one mailbox, writes and reads of one ETS row). Every
-- receive has a timeout, so no run deadlocks: each test passes in every
-- schedule, and the two searches must count the same classes.
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

-- One worker's operations after its first sleep (every worker sleeps 10
-- ms first, so their timers are due at one instant).
local function draw_ops(n, me)
  local ops = {}
  for i = 1, n do
    local kind = draw(7)
    if kind == 0 then
      ops[i] = { "send", draw(2) == 0 and "root" or "peer", TAGS[draw(2) + 1] }
    elseif kind == 1 then
      ops[i] = { "receive", draw(2) == 0 and TAGS[draw(2) + 1] or nil, draw(2) == 0 and 0 or 10 }
    elseif kind == 2 then
      ops[i] = { "sleep", 10 }
    elseif kind == 3 then
      ops[i] = { "send_after", TAGS[draw(2) + 1], 10, draw(3) == 0 }
    elseif kind == 4 then
      ops[i] = { "ets", draw(2) == 0 }  -- a write or a read of one shared row
    elseif kind == 5 then
      ops[i] = { "kill" }  -- the other worker (only worker 1 kills)
      if me ~= 1 then ops[i] = { "ets", true } end
    else
      ops[i] = { "send", "peer", TAGS[draw(2) + 1] }
    end
  end
  return ops
end

local function run(ops, peers, table, first)
  ls.sleep(first or 10)
  for _, op in ipairs(ops) do
    if op[1] == "send" then
      ls.send(peers[op[2]], op[3])
    elseif op[1] == "receive" then
      ls.receive(op[2] and function(m) return m == op[2] end or nil, op[3])
    elseif op[1] == "sleep" then
      ls.sleep(op[2])
    elseif op[1] == "send_after" then
      local t = ls.send_after(peers.peer, op[2], op[3])
      if op[4] then ls.cancel_timer(t) end
    elseif op[1] == "ets" then
      if op[2] then ls.ets.insert(table, { "k", ls.self() }) else ls.ets.lookup(table, "k") end
    else
      ls.exit(peers.peer, "kill")
    end
  end
end

local FAULTS = { "crash", "partition", "drop" }

for n = 1, 30 do
  local fault = draw(3) == 0 and FAULTS[draw(3) + 1] or nil  -- the search may place one
  local workers = {}
  for w = 1, 2 do workers[w] = draw_ops(fault and 1 or 1 + draw(2), w) end
  local root_sleep = draw(3) == 0 and 15 or 100  -- past the first round of timers, or past all
  ls.test("random due timers " .. n, { faults = fault and { [fault] = 1 } or nil }, function()
    ls.cluster.start_nodes({ "a", "b" })
    local table = ls.ets.new("t", { access = "public" })
    local root = ls.self()
    local p1 = { root = root }
    local p2 = { root = root }
    local w2 = ls.spawn_on("b", function() run(workers[2], p2, table) end)
    p2.peer = ls.spawn_on("a", function() run(workers[1], p1, table) end)
    p1.peer = w2
    ls.sleep(root_sleep)
    ls.receive(nil, 0)  -- takes one message, if any came
  end)
end

-- The root's own sleep falls due with the workers' first timers: every run
-- fires it (dfs takes it first, and makes no branch of the others there),
-- the others are optional (the root may end the test before they fire),
-- and after it the root races with the workers (a write of the shared row,
-- a send to one of them) before it takes a message, if any came. The
-- second worker's first sleep is shorter, and there are no faults: with
-- three timers due at once, or a fault's placements, --dpor none needs
-- far more runs than the test's budget.
for n = 1, 20 do
  local workers = {}
  for w = 1, 2 do workers[w] = draw_ops(1 + draw(3), w) end
  local after = { draw(3), draw(3) }  -- what the root does when it wakes
  ls.test("root wakes with the timers " .. n, function()
    ls.cluster.start_nodes({ "a", "b" })
    local table = ls.ets.new("t", { access = "public" })
    local root = ls.self()
    local p1 = { root = root }
    local p2 = { root = root }
    local w2 = ls.spawn_on("b", function() run(workers[2], p2, table, 5) end)
    p2.peer = ls.spawn_on("a", function() run(workers[1], p1, table) end)
    p1.peer = w2
    ls.sleep(10)
    for _, what in ipairs(after) do
      if what == 0 then
        ls.ets.insert(table, { "k", root })
      elseif what == 1 then
        ls.send(p2.peer, "x")
      else
        ls.receive(nil, 0)
      end
    end
    ls.receive(nil, 0)
  end)
end
