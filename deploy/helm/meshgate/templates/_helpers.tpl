{{/* The objects' name: the release name when it contains the chart's, else <release>-meshgate. */}}
{{- define "meshgate.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "meshgate.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/*
Every object's labels: those kustomize adds (deploy/kustomization.yaml) and Helm's usual ones. Not
in selectors: those are the manifests' own, immutable, and equal to kustomize's.
*/}}
{{- define "meshgate.labels" -}}
app.kubernetes.io/name: {{ include "meshgate.name" . }}
app.kubernetes.io/part-of: meshgate
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- end -}}

{{- define "meshgate.selectorLabels" -}}
app.kubernetes.io/name: {{ include "meshgate.name" . }}
app.kubernetes.io/component: daemon
{{- end -}}

{{- define "meshgate.serviceAccountName" -}}
{{- default (include "meshgate.fullname" .) .Values.serviceAccount.name -}}
{{- end -}}

{{/* Where the Lease lives: config.leaderElection.namespace, by default the release namespace. */}}
{{- define "meshgate.leaseNamespace" -}}
{{- $election := .Values.config.leaderElection | default dict -}}
{{- $election.namespace | default .Release.Namespace -}}
{{- end -}}

{{/* The daemon configuration: config, with the lease namespace filled in. */}}
{{- define "meshgate.config" -}}
{{- $config := deepCopy .Values.config -}}
{{- $election := $config.leaderElection | default dict -}}
{{- $_ := set $election "namespace" (include "meshgate.leaseNamespace" .) -}}
{{- $_ := set $config "leaderElection" $election -}}
{{- toYaml $config -}}
{{- end -}}

{{- define "meshgate.httpPort" -}}
{{- $http := .Values.config.http | default dict -}}
{{- $http.port | default 8080 -}}
{{- end -}}

{{- define "meshgate.image" -}}
{{- if .Values.image.digest -}}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest -}}
{{- else -}}
{{- printf "%s:%s" .Values.image.repository (.Values.image.tag | default .Chart.AppVersion) -}}
{{- end -}}
{{- end -}}

{{/* The subject every binding names: the chart's ServiceAccount. */}}
{{- define "meshgate.subjects" -}}
subjects:
  - kind: ServiceAccount
    name: {{ include "meshgate.serviceAccountName" . }}
    namespace: {{ .Release.Namespace }}
{{- end -}}

{{- define "meshgate.leaseName" -}}
{{- $election := .Values.config.leaderElection | default dict -}}
{{- $election.leaseName | default "meshgate-leader" -}}
{{- end -}}
