-- A process monitors another on its own node, polls its mailbox once and
-- ends; the other ends once it has its message. Whichever ends first
-- decides whether a DOWN is queued (the watcher's end takes its monitor
-- away), and the poll before it may or may not find that DOWN. So the two
-- ends race even on one node: dfs counts the five classes running every
-- interleaving counts (it counted 3 when the watcher's end touched nothing
-- of its target, and missed the run where the poll takes the DOWN).
local ls = lockstep

ls.test("a watcher's end races with its target's on one node", function()
  local target = ls.spawn(function() ls.receive(function(m) return m == 2 end) end)
  ls.spawn(function()
    ls.monitor(target)
    ls.receive(function() return true end, 0)
  end)
  ls.spawn(function() ls.send(target, 2) end)
end)
