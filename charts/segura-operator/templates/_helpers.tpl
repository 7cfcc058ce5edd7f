{{/*
Chart name, truncated to the 63 characters of a DNS label.
*/}}
{{- define "segura-operator.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Full name: "<release>-<chart>", or the release name when it contains the chart name.
*/}}
{{- define "segura-operator.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "segura-operator.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Labels on every object.
*/}}
{{- define "segura-operator.labels" -}}
helm.sh/chart: {{ include "segura-operator.chart" . }}
{{ include "segura-operator.selectorLabels" . }}
app.kubernetes.io/version: {{ .Values.image.tag | default .Chart.AppVersion | trunc 63 | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/component: operator
app.kubernetes.io/part-of: segura-operator
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/*
Selector labels (immutable once installed).
*/}}
{{- define "segura-operator.selectorLabels" -}}
app.kubernetes.io/name: {{ include "segura-operator.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "segura-operator.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "segura-operator.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "segura-operator.image" -}}
{{- if .Values.image.digest -}}
{{ .Values.image.repository }}@{{ .Values.image.digest }}
{{- else -}}
{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}
{{- end }}
{{- end }}

{{- define "segura-operator.leaseName" -}}
{{- default (include "segura-operator.fullname" .) .Values.leaderElection.leaseName }}
{{- end }}

{{/*
Rules the operator needs on Credentials, Secrets and Events, in every watched
namespace (or cluster-wide). Nothing more, and no wildcard.
*/}}
{{- define "segura-operator.watchRules" -}}
- apiGroups: ["pam.segura.io"]
  resources: ["credentials"]
  verbs: ["get", "list", "watch", "patch", "update"]
- apiGroups: ["pam.segura.io"]
  resources: ["credentials/status"]
  verbs: ["get", "patch", "update"]
- apiGroups: ["pam.segura.io"]
  resources: ["credentials/finalizers"]
  verbs: ["update"]
- apiGroups: [""]
  resources: ["secrets"]
  verbs: ["get", "list", "watch"]
- apiGroups: ["events.k8s.io"]
  resources: ["events"]
  verbs: ["create", "patch"]
- apiGroups: [""]
  resources: ["events"]
  verbs: ["create", "patch"]
{{- end }}

{{/*
Checks of value combinations the schema cannot express.
*/}}
{{- define "segura-operator.validate" -}}
{{- $_ := required "segura.url is required (e.g. --set segura.url=https://segura.example.com)" .Values.segura.url -}}
{{- $_ := required "segura.credentialsSecret.name is required: the existing Secret holding the OAuth2 client id and secret" .Values.segura.credentialsSecret.name -}}
{{- if and .Values.segura.caBundle.configMapName .Values.segura.caBundle.secretName -}}
{{- fail "segura.caBundle: set configMapName or secretName, not both" -}}
{{- end -}}
{{- if and (gt (int .Values.replicas) 1) (not .Values.leaderElection.enabled) -}}
{{- fail "replicas > 1 requires leaderElection.enabled=true (only one replica may reconcile)" -}}
{{- end -}}
{{- if and .Values.podDisruptionBudget.enabled (not (kindIs "invalid" .Values.podDisruptionBudget.minAvailable)) (not (kindIs "invalid" .Values.podDisruptionBudget.maxUnavailable)) -}}
{{- fail "podDisruptionBudget: set minAvailable or maxUnavailable, not both" -}}
{{- end -}}
{{- end }}

{{/*
Ports of Segura for the NetworkPolicy: the configured ones, else the URL's.
*/}}
{{- define "segura-operator.seguraPorts" -}}
{{- if .Values.networkPolicy.segura.ports -}}
{{- toJson .Values.networkPolicy.segura.ports -}}
{{- else -}}
{{- $u := urlParse .Values.segura.url -}}
{{- $port := regexFind ":[0-9]+$" (get $u "host") | trimPrefix ":" -}}
{{- if $port -}}
{{- toJson (list (atoi $port)) -}}
{{- else if eq (get $u "scheme") "http" -}}
[80]
{{- else -}}
[443]
{{- end -}}
{{- end -}}
{{- end }}
