-- Fixed twin of mutual_call.lua: each server notifies its peer with a cast,
-- so neither blocks waiting for the other.
local ls = lockstep

local function peer_mod(self_name, other)
  return {
    name = self_name,
    init = function() return "ok", 0 end,
    handle_call = function(req, from, n)
      if req == "go" then
        ls.genserver.cast(other, "hello")
        return "reply", "done", n
      end
      return "reply", "hi", n
    end,
    handle_cast = function(msg, n) return "noreply", n + 1 end,
  }
end

ls.test("both servers finish their work", { strategy = "random", iterations = 2000 }, function()
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
