-- A send_after cancelled at once, beside polls, under timers = "any"
-- (tests/scenarios/dfs_cli_test.cc). Its timer may fire before the cancel,
-- and then before or after the root's poll: reversing the timer with the
-- poll must leave the cancel after the timer, or the timer never fires
-- there. dfs ran 4 of its 5 classes while the reversal went under the
-- branch that runs the cancel first, which disarms the timer.
local ls = lockstep

ls.test("a timer cancelled at once fires before the cancel, after a poll", { timers = "any" }, function()
  local root = ls.self()
  local worker = ls.spawn(function()
    local t = ls.send_after(root, "b", 3)
    ls.cancel_timer(t)
    ls.receive(nil, 20)
  end)
  ls.spawn(function() ls.receive(function(m) return m == "a" end, 0) end)
  ls.send(worker, "a")
  ls.receive(nil, 0)
end)
