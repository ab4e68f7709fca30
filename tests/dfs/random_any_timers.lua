-- Random small programs with timers that may fire at any time
-- (timers = "any") in every process, for checking dfs's reduction against
-- every interleaving (--dpor none) on the real runtime
-- (tests/scenarios/dfs_cli_test.cc): sends, receive timeouts (0, short,
-- long), selective receives, sleeps, and send_after with and without
-- cancel_timer, so that several processes wait on timers at once, a
-- send_after's message races with sends to the same mailbox, and a
-- cancel_timer races with the timer it disarms. Every receive has a
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

local TIMEOUTS = { 0, 5, 20 }
local TAGS = { "a", "b" }

local function pattern(tag)
  if tag == nil then return nil end
  return function(m) return m == tag end
end

-- One process's operations: a list of small tables interpreted by run().
local function draw_ops(n, may_send_after, messages_only, polls_only)
  local ops = {}
  for i = 1, n do
    local kind = draw(may_send_after and 5 or 4)
    if messages_only and kind >= 2 then kind = kind % 2 end
    if kind == 0 then
      ops[i] = { "send", TAGS[draw(2) + 1] }
    elseif kind == 1 then
      ops[i] = { "receive", draw(2) == 0 and TAGS[draw(2) + 1] or nil, TIMEOUTS[draw(3) + 1] }
      if polls_only then ops[i][3] = 0 end
    elseif kind == 2 then
      ops[i] = { "sleep", draw(2) == 0 and 1 or 10 }
    elseif kind == 3 then
      ops[i] = { "send", TAGS[draw(2) + 1] }
    else
      ops[i] = { "send_after", TAGS[draw(2) + 1], draw(2) == 0 and 3 or 30, draw(2) == 0 }
    end
  end
  return ops
end

local function run(ops, peer)
  for _, op in ipairs(ops) do
    if op[1] == "send" then
      ls.send(peer, op[2])
    elseif op[1] == "receive" then
      ls.receive(pattern(op[2]), op[3])
    elseif op[1] == "sleep" then
      ls.sleep(op[2])
    else
      local t = ls.send_after(peer, op[2], op[3])
      if op[4] then ls.cancel_timer(t) end
    end
  end
end

for n = 1, 40 do
  local workers = {}
  for w = 1, 2 do workers[w] = draw_ops(1 + draw(2), w == 1) end
  local root_ops = draw_ops(1 + draw(2), false)
  ls.test("random timers anywhere " .. n, { timers = "any" }, function()
    local root = ls.self()
    local pids = {}
    for w = 1, 2 do
      pids[w] = ls.spawn(function() run(workers[w], root) end)
    end
    -- The root talks to the first worker; the second worker to the root.
    run(root_ops, pids[1])
  end)
end
