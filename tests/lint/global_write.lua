-- global-write: a process assigns a global. Line 7 is flagged.
local ls = lockstep

ls.test("a process counts in a global", function()
  local parent = ls.self()
  ls.spawn(function()
    hits = (hits or 0) + 1
    ls.send(parent, "done")
  end)
  ls.receive()
end)
