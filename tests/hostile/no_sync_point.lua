-- hostile: a process that loops for ever without a sync point
-- args: --iter-timeout 300
-- exit: 1
-- expect: timeout in P1
-- expect: no_sync_point.lua:10
-- replays: timeout
local ls = lockstep
ls.test("spins", function()
  ls.spawn(function()
    while true do end
  end)
  ls.sleep(1)
end)
