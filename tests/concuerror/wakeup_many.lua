-- Port of Concuerror's dpor_tests/src/wakeup_many.erl: three writers of x,
-- one of them the root.
-- concuerror: 4 interleavings, 4 errors
local ls = lockstep

ls.test("wakeup_many", function()
  local t = ls.ets.new("table", { access = "public" })
  ls.spawn(function() ls.ets.insert(t, { "x", 1 }) end)
  ls.spawn(function() ls.ets.insert(t, { "x", 0 }) end)
  ls.ets.insert(t, { "x", 1 })
  ls.receive()
end)
