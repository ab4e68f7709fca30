-- ls.rpc: run a function on another node and get its result (Erlang's rpc).
-- The function runs in a new process on `node`, monitored by the caller, so
-- a node that stops or a partition that cuts it off ends the call with
-- "badrpc" rather than a wait forever. Its reply is a message in flight
-- like any other.
local ls = lockstep

local rpc = {}

local function unpack_results(r)
  return table.unpack(r, 2, r.n)
end

local function call(node, timeout, fn, ...)
  if type(fn) ~= "function" then
    error("bad argument to 'rpc.call' (function expected, got " .. type(fn) .. ")", 3)
  end
  local caller = ls.self()
  local tag = ls.make_ref()
  local pid, mref = ls.spawn_monitor_on(node, function(...)
    ls.send(caller, { tag, table.pack(pcall(fn, ...)) })
  end, ...)
  local m = ls.receive(function(m)
    return type(m) == "table" and (m[1] == tag or (m[1] == "DOWN" and m[2] == mref))
  end, timeout)
  if m == nil then
    ls.demonitor(mref, { flush = true })
    ls.abandon_ref(tag)
    ls.exit(pid, "kill")
    return nil, "badrpc", "timeout"
  end
  if m[1] == "DOWN" then
    -- The reply, if one was sent, arrives before the DOWN that follows it.
    local reason = m[4]
    if reason == "noconnection" then return nil, "badrpc", "nodedown" end
    return nil, "badrpc", { "EXIT", reason }
  end
  ls.demonitor(mref, { flush = true })
  local r = m[2]
  if not r[1] then return nil, "badrpc", { "EXIT", r[2] } end
  return unpack_results(r)
end

-- rpc.call(node, fn, ...) -> fn's results, or nil, "badrpc", reason
-- (reason: "nodedown", "timeout", or {"EXIT", error}).
function rpc.call(node, fn, ...)
  return call(node, nil, fn, ...)
end

-- rpc.call_timeout(node, ms, fn, ...): as call, giving up after ms.
function rpc.call_timeout(node, ms, fn, ...)
  return call(node, ms, fn, ...)
end

-- rpc.cast(node, fn, ...) -> true: runs fn on node, no reply.
function rpc.cast(node, fn, ...)
  ls.spawn_on(node, fn, ...)
  return true
end

lockstep.rpc = rpc
return rpc
