-- A process killed before its first step ends without running it. The
-- race between the kill and that end, reversed, runs the process's first
-- step instead, and what that step touches is not known until it runs.
-- While the search judged the reversal by the end's footprint, a process
-- whose end conflicted with the end but not with the step (a third
-- worker monitoring the killed one) kept the first step's branch apart
-- from a later reversal that began with it, and classes below were lost
-- (44 of 46, 36 of 38, 25 of 26 and 20 of 21). Each test is three
-- workers acting on one another (tests/dfs/random_monitors.lua's
-- operations); the counts must equal --dpor none's
-- (tests/scenarios/dfs_cli_test.cc).
local ls = lockstep

local function run(ops, peer)
  for _, op in ipairs(ops) do
    if op == "send" then
      ls.send(peer, "a")
    elseif op == "monitor" then
      ls.monitor(peer)
    elseif op == "kill" then
      ls.exit(peer, "kill")
    elseif op == "receive" then
      ls.receive(function() return true end, 10)
    else
      pcall(ls.link, peer)  -- a peer already gone raises noproc
    end
  end
end

-- The first worker starts the second, then a third that acts on the
-- second, then runs its own operations on the second.
local function program(first, second, third)
  return function()
    ls.spawn(function()
      local me = ls.self()
      local peer = ls.spawn(function() run(second, me) end)
      ls.spawn(function() run(third, peer) end)
      run(first, peer)
    end)
  end
end

ls.test("a watcher of the killed process",
  program({ "monitor", "kill", "link" }, { "kill", "send", "monitor" }, { "monitor" }))
ls.test("two monitors of the killer",
  program({ "monitor", "kill" }, { "kill", "monitor" }, { "monitor" }))
ls.test("a link from the killed process",
  program({ "kill", "link" }, { "kill", "monitor" }, { "monitor" }))
ls.test("a watcher that sends",
  program({ "kill", "monitor" }, { "kill", "receive", "monitor" }, { "monitor", "send" }))
