{{/*
Refusals of values that values.schema.json cannot express, or could only by a top-level rule that
HelmChartCopies' refresh of properties.config would not see: each names its value and why it would
install a meshgate that never works. Helm's `fail` ends the render, so nothing is installed.
*/}}
{{- define "meshgate.validate" -}}
{{- $config := .Values.config | default dict -}}
{{- $election := $config.leaderElection | default dict -}}
{{- if and (hasKey $election "enabled") (not $election.enabled) (gt (int .Values.replicas) 1) -}}
{{- fail (printf "config.leaderElection.enabled=false with replicas=%d: every replica would act on the same RevisionMigrations at once; keep leader election on, or set replicas=1" (int .Values.replicas)) -}}
{{- end -}}
{{- $http := $config.http | default dict -}}
{{- $address := toString ($http.address | default "0.0.0.0") -}}
{{- if or (regexMatch "^127\\." $address) (regexMatch "^(?i)::ffff:127\\." $address) (regexMatch "^[0:]*:0*1$" $address) -}}
{{- fail (printf "config.http.address=%s is a loopback address: the kubelet probes and the Service reach the pod IP, so the pods would never be Ready; loopback is for running outside a pod or behind your own proxy (docs/configuration.md#binding-to-loopback)" $address) -}}
{{- end -}}
{{- include "meshgate.validateRulesDir" ($config.rulesDir | default "/etc/meshgate/rules") -}}
{{- if and (not .Values.serviceAccount.create) (not .Values.serviceAccount.name) -}}
{{- fail "serviceAccount.create=false needs serviceAccount.name: the existing ServiceAccount the pods run as and the RBAC binds" -}}
{{- end -}}
{{- if and .Values.networkPolicy.enabled (empty .Values.networkPolicy.ingressNamespaces) -}}
{{- fail "networkPolicy.ingressNamespaces is empty: Prometheus and Alertmanager could never reach meshgate (and the API server refuses an empty In); name their namespaces, or set networkPolicy.enabled=false" -}}
{{- end -}}
{{- if and .Values.networkPolicy.enabled (empty .Values.networkPolicy.prometheusNamespaces) -}}
{{- fail "networkPolicy.prometheusNamespaces is empty: meshgate could never query Prometheus (and the API server refuses an empty In); name its namespace, or set networkPolicy.enabled=false" -}}
{{- end -}}
{{- $shipped := .Files.Glob "files/rules/*.yaml" -}}
{{- range $name, $_ := .Values.rules.extra -}}
{{- if $shipped.Get (printf "files/rules/%s" $name) -}}
{{- fail (printf "rules.extra.%s has the name of a shipped rule file (rules/%s): give your rule a file name of its own" $name $name) -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/*
config.rulesDir, where the rules ConfigMap is mounted: the API server refuses a relative mountPath,
and a directory over or under another mount hides it (/etc/meshgate would hide the config file).
*/}}
{{- define "meshgate.validateRulesDir" -}}
{{- $dir := clean . -}}
{{- if not (hasPrefix "/" .) -}}
{{- fail (printf "config.rulesDir=%s is not an absolute path: it is where the rules ConfigMap is mounted in the pod (e.g. /etc/meshgate/rules)" .) -}}
{{- end -}}
{{- range list "/etc/meshgate/meshgate.yaml" "/var/run/secrets/meshgate" "/var/run/secrets/meshgate-prometheus" "/tmp" -}}
{{- if or (eq $dir "/") (eq $dir .) (hasPrefix (printf "%s/" $dir) .) (hasPrefix (printf "%s/" .) $dir) -}}
{{- fail (printf "config.rulesDir=%s overlaps the pod's mount %s, which one of them would hide; use a directory of its own such as /etc/meshgate/rules" $dir .) -}}
{{- end -}}
{{- end -}}
{{- end -}}
