-- Two genservers calling each other.
--
-- Ping handles "go" by calling Pong; Pong handles "go" by calling Ping. When
-- both are asked at once, each waits in its call for the other, which is
-- itself waiting: the calls time out (virtual time advances once nothing
-- else can run) and the client sees "timeout". The fixed twin
-- (mutual_call_fixed.lua) notifies the peer with a cast instead.
local ls = lockstep

local function peer_mod(self_name, other)
  return {
    name = self_name,
    init = function() return "ok", 0 end,
    handle_call = function(req, from, n)
      if req == "go" then
        ls.genserver.call(other, "hello", 500)
        return "reply", "done", n
      end
      return "reply", "hi", n + 1
    end,
  }
end

ls.test("both servers finish their work", { strategy = "random", iterations = 100 }, function()
  ls.genserver.start(peer_mod("ping", "pong"), nil, { name = "ping" })
  ls.genserver.start(peer_mod("pong", "ping"), nil, { name = "pong" })
  local parent = ls.self()
  for _, s in ipairs({ "ping", "pong" }) do
    ls.spawn(function()
      local ok, r = pcall(ls.genserver.call, s, "go", 2000)
      ls.send(parent, ok and r or ("error: " .. tostring(r)))
    end)
  end
  for _ = 1, 2 do
    local r = ls.receive()
    if r ~= "done" then error("a call failed: " .. r) end
  end
end)
