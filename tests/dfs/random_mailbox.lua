-- Random small programs where messages pile up in one mailbox, for
-- checking dfs's reduction against every interleaving (--dpor none) on
-- the real runtime (tests/scenarios/dfs_cli_test.cc): two clients send
-- tagged messages to the root, which serves them (and the second now and
-- then to the first); the server takes them with selective receives (one
-- tag, two, or any; some polls, some with a timeout), and answers some of
-- them. Whether two sends
-- to the server commute depends on the receives that take their messages
-- (Concuerror's receive patterns), which is what sleep sets cannot judge
-- when a send runs and the receive that tells has not. The root waits for
-- nothing once it has served: a search holds its end until no process can
-- run. Every test passes in every schedule, and the two searches must count the same
-- classes.
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

local TAGS = { "a", "b", "c" }

local function draw_pattern()
  local k = draw(4)
  if k == 0 then return nil end                       -- any message
  if k == 3 then return { TAGS[draw(3) + 1], TAGS[draw(3) + 1] } end
  return { TAGS[draw(3) + 1] }
end

local function takes(pattern)
  return function(m)
    if pattern == nil then return true end
    for _, tag in ipairs(pattern) do
      if m[1] == tag then return true end
    end
    return false
  end
end

-- A receive: its pattern and timeout (0: a poll; nil: 50 ms, which under
-- quiescent timers ends it only when nothing else can run, so no run
-- deadlocks).
local function draw_receive()
  local t = draw(4)
  return { "receive", draw_pattern(), t == 0 and 0 or t == 1 and 10 or nil }
end

local function draw_client(n)
  local ops = {}
  for i = 1, n do
    local kind = draw(7)
    if kind <= 4 then
      ops[i] = { "send", TAGS[draw(3) + 1] }
    elseif kind == 4 then
      ops[i] = { "peer", TAGS[draw(3) + 1] }
    else
      ops[i] = draw_receive()
    end
  end
  return ops
end

local function draw_server(n)
  local ops = {}
  for i = 1, n do
    ops[i] = draw_receive()
    ops[i].answer = draw(4) == 0
  end
  return ops
end

local function receive(op)
  return ls.receive(takes(op[2]), op[3] or 50)
end

local function client(ops, server, peer)
  for _, op in ipairs(ops) do
    if op[1] == "send" then
      ls.send(server, { op[2], ls.self() })
    elseif op[1] == "peer" then
      if peer then ls.send(peer, { op[2], ls.self() }) end
    else
      receive(op)
    end
  end
end

local function server(ops)
  for _, op in ipairs(ops) do
    local m = receive(op)
    if m and op.answer then ls.send(m[2], { "c", ls.self() }) end
  end
end

for n = 1, 60 do
  local server_ops = draw_server(2 + draw(3))
  local client_ops = { draw_client(1 + draw(3)), draw_client(1 + draw(3)) }
  ls.test("random mailbox " .. n, function()
    -- The root is the server; the second client knows the first.
    local me = ls.self()
    local first = ls.spawn(client, client_ops[1], me)
    ls.spawn(client, client_ops[2], me, first)
    server(server_ops)
  end)
end

-- Workers (after Concuerror's workers.erl): one asks the root for work
-- and sends back a result, or says it is done when there was none (and
-- now and then asks again at once); another
-- sends results and exits of its own; the root polls for
-- results and takes requests with selective receives, in a random order
-- with random patterns. Requests, results and exits pile up in the root's
-- mailbox, and which of them commute depends on the receive that takes
-- each.
local KINDS = { { "work", "exit" }, { "work" }, { "res" }, { "res", "exit" }, nil }

local function draw_loop(n)
  local ops = {}
  for i = 1, n do
    local k = draw(6)
    ops[i] = { poll = k == 0, pattern = KINDS[1 + draw(5)] }
  end
  return ops
end

local function boss(ops, jobs)
  for _, op in ipairs(ops) do
    local m = ls.receive(takes(op.pattern), op.poll and 0 or 50)
    if m and m[1] == "work" then
      ls.send(m[2], jobs > 0 and { "job" } or { "none" })
      jobs = jobs - 1
    end
  end
end

local function hand(boss_pid, again)
  ls.send(boss_pid, { "work", ls.self() })
  local m = ls.receive(takes({ "job", "none" }), 50)
  ls.send(boss_pid, { (m and m[1] == "job") and "res" or "exit", ls.self() })
  if again then ls.send(boss_pid, { "work", ls.self() }) end
end

local function notes(boss_pid, tags)
  for _, tag in ipairs(tags) do ls.send(boss_pid, { tag, ls.self() }) end
end

local NOTES = { "res", "exit", "work" }
for n = 1, 60 do
  local ops = draw_loop(2 + draw(3))
  local jobs = draw(2)
  local again = draw(2) == 0
  local tags = {}
  for i = 1, 1 + (again and 0 or draw(2)) do tags[i] = NOTES[1 + draw(3)] end
  ls.test("random workers " .. n, function()
    local me = ls.self()
    ls.spawn(hand, me, again)
    ls.spawn(notes, me, tags)
    boss(ops, jobs)
  end)
end
