-- A message between nodes can arrive after its receiver has ended: then it
-- is dropped, as a local send to an ended process is, and it races with
-- the receives that could have taken it, not with the end. The receiver
-- polls, then takes one message; one message comes from another node (in
-- flight until delivered), one from its own. dfs counts what running every
-- interleaving counts; before, it missed the runs where the message from
-- the other node arrived after the receiver had ended.
local ls = lockstep

ls.test("a message in flight outlives its receiver", function()
  ls.cluster.start_nodes({ "a" })
  local r = ls.spawn_on("a", function()
    ls.receive(function() return true end, 0)
    ls.receive()
  end)
  ls.send(r, "far")
  ls.spawn_on("a", function() ls.send(r, "near") end)
end)
