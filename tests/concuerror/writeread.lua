-- Port of Concuerror's dpor_tests/src/writeread.erl: two writers of x, one
-- of which reads it back, and the root writing and reading it too.
-- concuerror: 18 interleavings, 18 errors
local ls = lockstep

ls.test("writeread", function()
  local t = ls.ets.new("table", { access = "public" })
  ls.spawn(function() ls.ets.insert(t, { "x", 1 }) end)
  ls.spawn(function()
    ls.ets.insert(t, { "x", 1 })
    ls.ets.lookup(t, "x")
  end)
  ls.ets.insert(t, { "x", 0 })
  ls.ets.lookup(t, "x")
  ls.receive()
end)
