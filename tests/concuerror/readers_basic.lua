-- Port of Concuerror's dpor_tests/src/readers_basic.erl: one writer, two
-- readers; the readers do not race with each other.
-- concuerror: 4 interleavings, 4 errors
local ls = lockstep

ls.test("readers_basic", function()
  local t = ls.ets.new("table", { access = "public" })
  ls.ets.insert(t, { "x", 0 })
  ls.ets.insert(t, { "y", 0 })
  ls.spawn(function() ls.ets.insert(t, { "x", 1 }) end)
  ls.spawn(function() ls.ets.lookup(t, "x") end)
  ls.spawn(function() ls.ets.lookup(t, "x") end)
  ls.receive()
end)
