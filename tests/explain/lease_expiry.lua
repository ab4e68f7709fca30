-- For `lockstep explain` (tests/scenarios/explain_cli_test.cc): a lease
-- server grants the lease for 100 ms and a holder renews it. When the
-- expiry timer fires before the renewal comes, the lease goes to the next
-- in line while the old holder still thinks it holds it, and both write as
-- owner. The cause is the timer, not the two owners' writes that race
-- after it; and a wait that times out before its reply is a race too.
local ls = lockstep
local function server()
  local holder, queue, timer = nil, {}, nil
  while true do
    local m = ls.receive()
    if m[1] == "acquire" then
      if holder == nil then
        holder = m[2]
        timer = ls.send_after(ls.self(), { "expire", m[2] }, 100)
        ls.send(m[2], { "granted" })
      else
        queue[#queue + 1] = m[2]
      end
    elseif m[1] == "renew" and m[2] == holder then
      ls.cancel_timer(timer)
      timer = ls.send_after(ls.self(), { "expire", m[2] }, 100)
      ls.send(m[2], { "renewed" })
    elseif m[1] == "expire" and m[2] == holder then
      holder = table.remove(queue, 1)
      if holder then
        timer = ls.send_after(ls.self(), { "expire", holder }, 100)
        ls.send(holder, { "granted" })
      end
    end
  end
end

ls.test("one holder at a time", { timers = "any" }, function()
  local t = ls.ets.new("owner", { type = "set", access = "public" })
  local srv = ls.spawn(server)
  local done = ls.self()
  local function client(name)
    return function()
      ls.send(srv, { "acquire", ls.self() })
      ls.receive(function(m) return m[1] == "granted" end)
      ls.ets.insert(t, { "owner", name })
      ls.send(srv, { "renew", ls.self() })
      ls.receive(function(m) return m[1] == "renewed" end, 50)
      local o = ls.ets.lookup(t, "owner")[1][2]
      assert(o == name, name .. " holds the lease but " .. o .. " wrote as owner")
      ls.send(done, "done")
    end
  end
  ls.spawn(client("a"))
  ls.spawn(client("b"))
  ls.receive()
end)

-- The client's wait for the reply ends by its timer before the server's
-- reply comes (timers = "any": a timeout may fire while others can run).
ls.test("the reply comes in time", { timers = "any" }, function()
  local srv = ls.spawn(function()
    local m = ls.receive()
    ls.send(m.from, { "reply", m.n })
  end)
  ls.send(srv, { from = ls.self(), n = 1 })
  local r = ls.receive(function(m) return m[1] == "reply" end, 50)
  assert(r ~= nil, "no reply within 50 ms")
end)
