-- Fixed twin of timeout_race.lua: every request carries a fresh reference
-- and the client only accepts the reply that carries it; late replies to
-- timed-out requests stay unmatched.
local ls = lockstep

local function server()
  ls.label("server")
  while true do
    local req = ls.receive()
    ls.sleep(req.work)
    ls.send(req.from, { "reply", req.ref, req.n })
  end
end

local function call(srv, n)
  local ref = ls.make_ref()
  ls.send(srv, { from = ls.self(), ref = ref, n = n, work = 50 })
  local r = ls.receive(function(m) return m[1] == "reply" and m[2] == ref end, 100)
  if r == nil then return "timeout" end
  return r[3]
end

ls.test("each call gets its own reply", { strategy = "random", timers = "any", iterations = 3000 }, function()
  local srv = ls.spawn(server)
  call(srv, 1)
  local second = call(srv, 2)
  if second ~= "timeout" and second ~= 2 then
    error("request 2 got the reply to request " .. tostring(second))
  end
end)
