-- Argo CD health of a meshgate RevisionMigration (meshgate.io/v1alpha1), read from its status
-- as the daemon writes it (docs/argocd.md). Argo CD runs it without Lua's string library, so
-- messages are built by concatenation only.
local hs = {}
local status = obj.status

local function condition(type)
  if status == nil or status.conditions == nil then
    return nil
  end
  for _, c in ipairs(status.conditions) do
    if c.type == type then
      return c
    end
  end
  return nil
end

-- "RolledBack: 1 namespace rolled back", without the reason when it only repeats the phase
local function said(c, phase)
  if c == nil then
    return nil
  end
  local text = c.message
  if c.reason ~= nil and c.reason ~= "" and c.reason ~= phase then
    if text == nil or text == "" then
      text = c.reason
    else
      text = c.reason .. ": " .. text
    end
  end
  if text == "" then
    return nil
  end
  return text
end

-- "Paused (wave prod, 3/5 promoted): FleetBrake: ...; held: payments"; each of details may be nil
local function message(phase, ...)
  local where = {}
  if status.currentWave ~= nil and status.currentWave ~= "" then
    table.insert(where, "wave " .. status.currentWave)
  end
  if status.promoted ~= nil and status.promoted ~= "" then
    table.insert(where, status.promoted .. " promoted")
  end
  local text = phase
  if #where > 0 then
    text = text .. " (" .. table.concat(where, ", ") .. ")"
  end
  local details = {}
  for i = 1, select("#", ...) do
    local detail = select(i, ...)
    -- a progressing migration's Ready message is its wave, already said
    if detail ~= nil and detail ~= "wave " .. tostring(status.currentWave) then
      table.insert(details, detail)
    end
  end
  if #details > 0 then
    text = text .. ": " .. table.concat(details, "; ")
  end
  return text
end

-- a target as meshgate status --targets names it: payments,
-- Deployment istio-ingress/istio-ingressgateway, node worker-1
local function named(section, target)
  if section == "gateways" then
    return tostring(target.kind) .. " " .. tostring(target.namespace) .. "/" .. tostring(target.name)
  elseif section == "nodes" then
    return "node " .. tostring(target.name)
  end
  return tostring(target.name)
end

-- "held: payments, orders and 2 more": the targets waiting for people or for data, which the
-- phase alone does not show
local function waiting(phase, word)
  local names = {}
  local count = 0
  for _, section in ipairs({"namespaces", "gateways", "nodes"}) do
    for _, target in ipairs(status[section] or {}) do
      if target.phase == phase then
        count = count + 1
        if count <= 3 then
          table.insert(names, named(section, target))
        end
      end
    end
  end
  if count == 0 then
    return nil
  end
  local text = word .. ": " .. table.concat(names, ", ")
  if count > 3 then
    text = text .. " and " .. tostring(count - 3) .. " more"
  end
  return text
end

if status == nil or status.phase == nil or status.phase == "" then
  hs.status = "Progressing"
  hs.message = "Waiting for meshgate to pick the migration up (no status yet)"
  return hs
end

local phase = status.phase
local ready = condition("Ready")

-- meshgate cannot act on the object, or the API server refuses its writes: nothing moves until
-- someone fixes the object, the CRD or the RBAC, whatever the phase says
if ready ~= nil and ready.status == "False"
    and (ready.reason == "InvalidSpec" or ready.reason == "WriteRefused") then
  hs.status = "Degraded"
  hs.message = message(phase, said(ready, phase))
  return hs
end

-- the phase is of an older spec: an edit (paused, waves, maxRollbacks) is not acted on yet
local generation = nil
if obj.metadata ~= nil then
  generation = tonumber(obj.metadata.generation)
end
local observed = tonumber(status.observedGeneration)
if generation ~= nil and observed ~= nil and observed < generation then
  hs.status = "Progressing"
  hs.message = "Waiting for meshgate to act on generation " .. tostring(generation)
      .. " (status is of generation " .. tostring(observed) .. ", phase " .. phase .. ")"
  return hs
end

if phase == "Pending" or phase == "Progressing" then
  hs.status = "Progressing"
  hs.message = message(phase, said(ready, phase), waiting("Held", "held"), waiting("Stalled", "stalled"))
elseif phase == "Paused" then
  hs.status = "Suspended"
  hs.message = message(phase, said(condition("Paused"), phase))
elseif phase == "AwaitingApproval" then
  hs.status = "Suspended"
  hs.message = message(phase, said(ready, phase))
elseif phase == "Succeeded" then
  hs.status = "Healthy"
  local detail = said(ready, phase)
  local unused = condition("OldRevisionUnused")
  if unused ~= nil and unused.status == "False" and unused.message ~= nil then
    -- the old revision may not be removed yet: say what still uses it
    if detail == nil then
      detail = unused.message
    else
      detail = detail .. "; " .. unused.message
    end
  end
  hs.message = message(phase, detail)
elseif phase == "Failed" then
  hs.status = "Degraded"
  hs.message = message(phase, said(ready, phase))
else
  hs.status = "Unknown"
  hs.message = "Phase " .. phase .. " is not known to this health check; take it from the"
      .. " deploy/argocd/ of the meshgate release that runs"
end
return hs
