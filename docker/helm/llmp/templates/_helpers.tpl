{{- define "llmp.fullname" -}}{{ .Release.Name }}-llmp{{- end -}}
{{- define "llmp.secretName" -}}{{ if .Values.secrets.existingSecret }}{{ .Values.secrets.existingSecret }}{{ else }}{{ .Release.Name }}-llmp{{ end }}{{- end -}}
