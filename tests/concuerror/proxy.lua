-- Port of Concuerror's dpor_tests/src/proxy.erl: A sends hello to C
-- directly, then world through a chain of 100 proxies; C takes both. The
-- root awaits each child's DOWN (see independent_receivers.lua).
-- concuerror: 2 interleavings, 0 errors
-- lockstep: 1 schedules, 0 failing
--   Messages between two processes of one node arrive at once, in the
--   order sent (Erlang's guarantee, and Concuerror's default). This test
--   forces Concuerror's instant_delivery off, which lets hello, sent first,
--   arrive after world has gone through the proxies: one more interleaving.
local ls = lockstep

local function not_down(m) return not (type(m) == "table" and m[1] == "DOWN") end

ls.test("proxy", function()
  local c = ls.self()
  local refs = {}
  local function spawn(fn)
    local pid, ref = ls.spawn_monitor(fn)
    refs[#refs + 1] = ref
    return pid
  end
  local function proxy(n, pid)
    if n == 0 then return pid end
    local next_hop = proxy(n - 1, pid)
    return spawn(function() ls.send(next_hop, ls.receive()) end)
  end
  local b = proxy(100, c)
  spawn(function()
    ls.send(c, "hello")
    ls.send(b, "world")
  end)
  ls.receive(not_down)
  ls.receive(not_down)
  for _, ref in ipairs(refs) do
    ls.receive(function(m) return type(m) == "table" and m[1] == "DOWN" and m[2] == ref end)
  end
end)
