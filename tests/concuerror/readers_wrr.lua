-- Port of Concuerror's dpor_tests/src/readers_wrr.erl: a writer and two
-- readers, spawned in the order wrr; every process first reads y.
-- concuerror: 4 interleavings, 4 errors
local ls = lockstep

local function writer(t)
  ls.ets.lookup(t, "y")
  ls.ets.insert(t, { "x", 1 })
end

local function reader(t)
  ls.ets.lookup(t, "y")
  ls.ets.lookup(t, "x")
end

ls.test("readers_wrr", function()
  local t = ls.ets.new("table", { access = "public" })
  ls.ets.insert(t, { "x", 0 })
  ls.ets.insert(t, { "y", 0 })
  ls.spawn(writer, t)
  ls.spawn(reader, t)
  ls.spawn(reader, t)
  ls.receive()
end)
