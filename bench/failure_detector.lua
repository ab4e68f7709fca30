-- A failure detector with a liveness bug, after Coyote's FailureDetector
-- sample: a detector pings every node each round and declares a node
-- failed after three rounds in a row without its pong; it tells a
-- registry, which records the failure. One node crashes after answering
-- two pings.
--
-- The bug: the registry drops a report that arrives before the root has
-- configured it, and the detector never repeats one. If the root is held
-- back while the detector runs its rounds, the crash is never recorded and
-- the liveness monitor "the crash is recorded" stays hot for good, while
-- the detector keeps pinging the live nodes (nothing deadlocks). A random
-- walk seldom holds one process back that long; PCT, which gives the root
-- a low priority in some iterations, does it often. Only a fair strategy
-- (random, surw, fair_pct past its PCT prefix) can show a monitor hot for
-- good, so PCT itself runs to max_steps instead.
local ls = lockstep

local NODES = 3

local function node(i, crash_after)
  ls.label("node" .. i)
  local answered = 0
  while true do
    local m = ls.receive()
    if m[1] == "ping" then
      if crash_after and answered == crash_after then return end -- crashes
      answered = answered + 1
      ls.send(m[2], { "pong", i, m[3] })
    end
  end
end

local function registry(state)
  ls.label("registry")
  local configured = false
  while true do
    local m = ls.receive()
    if m == "config" then
      configured = true
    elseif m[1] == "down" and configured then -- BUG: an early report is dropped
      ls.atomics.put(state, 2, 1)
    end
  end
end

local function detector(nodes, reg)
  ls.label("detector")
  local alive, missed = {}, {}
  for i = 1, #nodes do alive[i] = true; missed[i] = 0 end
  local round = 0
  while true do
    round = round + 1
    local got = {}
    for i = 1, #nodes do
      if alive[i] then ls.send(nodes[i], { "ping", ls.self(), round }) end
    end
    ls.send_after(ls.self(), { "timeout", round }, 100)
    while true do
      local m = ls.receive()
      if m[1] == "pong" and m[3] == round then
        got[m[2]] = true
      elseif m[1] == "timeout" and m[2] == round then
        break
      end
    end
    for i = 1, #nodes do
      if alive[i] then
        missed[i] = got[i] and 0 or missed[i] + 1
        if missed[i] >= 3 then
          alive[i] = false
          ls.send(reg, { "down", i })
        end
      end
    end
  end
end

ls.test("failure_detector", { iterations = 100000, timers = "any", liveness_steps = 500, max_steps = 5000 },
  function()
    local state = ls.atomics.new(2) -- [1] node 1 crashed, [2] the crash is recorded
    ls.liveness("the crash is recorded", function()
      return ls.atomics.get(state, 1) == 1 and ls.atomics.get(state, 2) == 0
    end)
    local nodes = {}
    for i = 1, NODES do nodes[i] = ls.spawn(node, i, i == 1 and 2 or nil) end
    ls.monitor(nodes[1])
    local reg = ls.spawn(registry, state)
    ls.spawn(detector, nodes, reg)
    ls.send(reg, "config")
    ls.receive(function(m) return m[1] == "DOWN" end)
    ls.atomics.put(state, 1, 1)
    while ls.atomics.get(state, 2) == 0 do ls.sleep(50) end
  end)
