-- A failure detector with a liveness bug, after Coyote's FailureDetector
-- sample: a detector pings every node each round and declares a node
-- failed after two rounds in a row without its pong. One node crashes.
--
-- The bug: a pong that arrives after its round timed out makes the
-- detector forgive every node ("the network is slow"), so the crashed
-- node's missed rounds start again from zero. When a live node's pong is
-- late every other round, the crashed node is never declared failed: the
-- liveness monitor "the crash is detected" stays hot. Timers fire at any
-- step (timers = "any"), so a round's timeout can overtake the pongs; the
-- bug needs the timeouts and pongs of many rounds to interleave just so,
-- and only a fair strategy can show a monitor hot for good.
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

local function detector(nodes, state)
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
      elseif m[1] == "pong" then
        for i = 1, #nodes do missed[i] = 0 end -- BUG: a late pong forgives every node
      elseif m[1] == "timeout" and m[2] == round then
        break
      end
    end
    for i = 1, #nodes do
      if alive[i] then
        if got[i] then
          missed[i] = 0
        else
          missed[i] = missed[i] + 1
          if missed[i] >= 2 then
            alive[i] = false
            ls.atomics.put(state, 2, 1) -- declared failed
          end
        end
      end
    end
  end
end

ls.test("failure_detector", { iterations = 100000, timers = "any", liveness_steps = 300, max_steps = 3000 },
  function()
    local state = ls.atomics.new(2) -- [1] crashed, [2] detected
    ls.liveness("the crash is detected", function()
      return ls.atomics.get(state, 1) == 1 and ls.atomics.get(state, 2) == 0
    end)
    local nodes = {}
    for i = 1, NODES do
      nodes[i] = ls.spawn(node, i, i == 1 and 1 or nil)
    end
    ls.monitor(nodes[1])
    ls.spawn(detector, nodes, state)
    ls.receive(function(m) return m[1] == "DOWN" end)
    ls.atomics.put(state, 1, 1)
    while ls.atomics.get(state, 2) == 0 do ls.sleep(50) end
  end)
