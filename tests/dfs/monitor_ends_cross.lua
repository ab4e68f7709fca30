-- A process monitors another on its own node and ends at once; the other
-- ends once it has its message. Had the target ended first, its end would
-- have queued a DOWN for the watcher (a message, judged by the receives
-- that could take it: none here); had the watcher ended first, its end
-- would have taken the monitor away. Either way the two ends touch what
-- the other changes, so they race in both orders: dfs counts the 4
-- classes running every interleaving counts (it counted 3 when the
-- target's end touched nothing of the watcher's but its mailbox).
local ls = lockstep

ls.test("the ends of a watcher and its target race in either order", function()
  local target = ls.spawn(function() ls.receive() end)
  ls.spawn(function() ls.send(target, 2) end)
  ls.spawn(function() ls.monitor(target) end)
end)
