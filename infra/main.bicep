// LLM Proxy on Azure Functions: one resource group holds the function app, its storage account (host state, usage
// queue, Table store, deployment packages), Application Insights on Log Analytics, and a Key Vault for the vendor
// and admin keys. The app reaches storage, Key Vault and Application Insights with its system-assigned managed
// identity; no account key or connection string is stored anywhere.
//
// Deploy: docs/operations.md. Every LlmProxy__* setting is described in docs/configuration.md.

targetScope = 'resourceGroup'

@description('Prefix of every resource name (lower-case letters and digits, 2-10 characters).')
@minLength(2)
@maxLength(10)
param namePrefix string = 'llmproxy'

@description('Azure region of every resource. Defaults to the resource group\'s region; it must offer the chosen plan.')
param location string = resourceGroup().location

@description('''Hosting plan. FC1 = Flex Consumption (default: scales to zero, bills per execution, streams responses).
EP1/EP2/EP3 = Elastic Premium (always-warm instances, no cold start, billed per instance).
The legacy Linux Consumption plan (Y1) is deliberately not offered: it buffers HTTP responses, so streamed
(server-sent event) answers would arrive all at once at the end.''')
@allowed([
  'FC1'
  'EP1'
  'EP2'
  'EP3'
])
param planSku string = 'FC1'

@description('Flex Consumption: memory of each instance in MB.')
@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int = 2048

@description('Upper bound of instances: Flex Consumption scale-out limit, or Elastic Premium maximum burst.')
@minValue(1)
@maxValue(1000)
param maximumInstanceCount int = 40

@description('Elastic Premium only: instances kept warm at all times.')
@minValue(1)
@maxValue(20)
param premiumMinimumInstances int = 1

@description('Key of the admin API (dashboard, tenant and quota management). At least 32 characters; store it in a password manager.')
@secure()
@minLength(32)
param adminApiKey string

@description('''Vendor API keys, by vendor: { "openai": "sk-...", "anthropic": "...", "gemini": "...", "cohere": "...",
"mistral": "...", "deepseek": "...", "azure": "..." }. Vendors left out keep the secret already in Key Vault (set or rotate it with
az keyvault secret set); a vendor without any secret is reported as not configured.''')
@secure()
param vendorApiKeys object = {}

@description('''Optional Azure OpenAI (Azure AI Foundry) account the proxy calls as vendor "azure" (models azure/<deployment>).
Given its name, the app's identity gets the role "Cognitive Services OpenAI User" on it and LlmProxy__Providers__azure__BaseUrl
is https://<name>.openai.azure.com/ (the account's custom subdomain must be its name, as Entra ID sign-in requires one),
so no key is needed; a key in vendorApiKeys.azure is used instead when given. Empty: no Azure OpenAI.''')
param azureOpenAIAccountName string = ''

@description('Resource group of the Azure OpenAI account; defaults to this deployment\'s.')
param azureOpenAIResourceGroup string = resourceGroup().name

@description('''Secret that signs end-user tokens (POST /api/tokens), at least 32 characters, e.g. openssl rand -base64 48.
Left empty, the secret already in Key Vault ("end-user-token-signing-key") is kept; with none, no tokens are issued.
To rotate: copy the current secret to "end-user-token-previous-signing-key" (still accepted), set a new one, restart.''')
@secure()
param endUserTokenSigningKey string = ''

@description('Browser origins allowed to call the proxy (CORS), e.g. the sites that embed <ai-text-enhancer>; they become the app\'s own LlmProxy__Cors__AllowedOrigins__N settings. Empty: none.')
param allowedOrigins array = []

@description('NCRONTAB schedule (with seconds, UTC) of the timer that opens new quota periods.')
param quotaResetSchedule string = '0 5 * * * *'

@description('Days Log Analytics keeps logs and metrics.')
@minValue(30)
@maxValue(730)
param logRetentionDays int = 30

@description('Tags put on every resource.')
param tags object = {}

// The vendors the proxy adapts to; each has a Key Vault secret "<vendor>-api-key".
var vendors = [
  'openai'
  'anthropic'
  'gemini'
  'cohere'
  'mistral'
  'deepseek'
  'azure'
]
var adminKeySecretName = 'admin-api-key'
var endUserTokenKeySecretName = 'end-user-token-signing-key'
var endUserTokenPreviousKeySecretName = 'end-user-token-previous-signing-key'

var isFlex = planSku == 'FC1'
var suffix = uniqueString(resourceGroup().id, namePrefix)
var appName = '${namePrefix}-${suffix}'
var storageAccountName = take('${namePrefix}${suffix}', 24)
var keyVaultName = take('kv-${namePrefix}-${suffix}', 24)
var deploymentContainerName = 'deployments'
var usageQueueName = 'usage-events'
var usagePoisonQueueName = 'usage-events-poison'
// Tables of the Table Storage store (LlmProxy.Core/Storage/Tables).
var storeTables = [
  'llmproxy'
  'llmproxykeys'
  'llmproxycache'
  'llmproxylog'
]

// Built-in role definition ids.
var roles = {
  storageBlobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'
  storageQueueDataContributor: '974c5e8b-45b9-4653-ba55-5f855dd0fb88'
  storageTableDataContributor: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'
  keyVaultSecretsUser: '4633458b-17de-408a-b874-0445c86b69e6'
  monitoringMetricsPublisher: '3913510d-42f4-4e42-8a64-420c390055eb'
}

@description('App Service resolves this app setting from Key Vault; a versionless URI follows rotations.')
func keyVaultReference(vaultUri string, secretName string) string =>
  '@Microsoft.KeyVault(SecretUri=${vaultUri}secrets/${secretName}/)'

resource logAnalytics 'Microsoft.OperationalInsights/workspaces@2023-09-01' = {
  name: 'log-${appName}'
  location: location
  tags: tags
  properties: {
    sku: {
      name: 'PerGB2018'
    }
    retentionInDays: logRetentionDays
  }
}

resource appInsights 'Microsoft.Insights/components@2020-02-02' = {
  name: 'appi-${appName}'
  location: location
  tags: tags
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: logAnalytics.id
    // Telemetry is accepted only from Entra-authenticated senders (the app's identity).
    DisableLocalAuth: true
  }
}

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  name: storageAccountName
  location: location
  tags: tags
  sku: {
    name: 'Standard_LRS'
  }
  kind: 'StorageV2'
  properties: {
    accessTier: 'Hot'
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    allowBlobPublicAccess: false
    // Identity only: nothing can use an account key, so there is none to leak or rotate.
    allowSharedKeyAccess: false
    defaultToOAuthAuthentication: true
  }
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2023-05-01' = {
  parent: storage
  name: 'default'
}

resource deploymentContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = {
  parent: blobService
  name: deploymentContainerName
}

resource queueService 'Microsoft.Storage/storageAccounts/queueServices@2023-05-01' = {
  parent: storage
  name: 'default'
}

resource usageQueue 'Microsoft.Storage/storageAccounts/queueServices/queues@2023-05-01' = {
  parent: queueService
  name: usageQueueName
}

resource usagePoisonQueue 'Microsoft.Storage/storageAccounts/queueServices/queues@2023-05-01' = {
  parent: queueService
  name: usagePoisonQueueName
}

resource tableService 'Microsoft.Storage/storageAccounts/tableServices@2023-05-01' = {
  parent: storage
  name: 'default'
}

resource tables 'Microsoft.Storage/storageAccounts/tableServices/tables@2023-05-01' = [
  for table in storeTables: {
    parent: tableService
    name: table
  }
]

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: keyVaultName
  location: location
  tags: tags
  properties: {
    tenantId: subscription().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 90
    enablePurgeProtection: true
  }
}

resource adminKeySecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  parent: vault
  name: adminKeySecretName
  properties: {
    value: adminApiKey
  }
}

// Only the keys passed in are written, so a redeployment without keys leaves rotated secrets alone.
resource vendorKeySecrets 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = [
  for vendor in vendors: if (!empty(vendorApiKeys[?vendor] ?? '')) {
    parent: vault
    name: '${vendor}-api-key'
    properties: {
      value: vendorApiKeys[vendor]
    }
  }
]

// Written only when passed, like the vendor keys, so a redeployment leaves a rotated secret alone.
resource endUserTokenKeySecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = if (!empty(endUserTokenSigningKey)) {
  parent: vault
  name: endUserTokenKeySecretName
  properties: {
    value: endUserTokenSigningKey
  }
}

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: 'plan-${appName}'
  location: location
  tags: tags
  kind: isFlex ? 'functionapp' : 'elastic'
  sku: isFlex
    ? {
        name: 'FC1'
        tier: 'FlexConsumption'
      }
    : {
        name: planSku
        tier: 'ElasticPremium'
      }
  properties: {
    reserved: true // Linux
    maximumElasticWorkerCount: isFlex ? null : maximumInstanceCount
  }
}

// Settings every plan needs. The drift test (LlmProxy.Tests/Deployment) checks these against the settings the code
// binds and against local.settings.json.example.
var appSettings = {
  AzureWebJobsStorage__accountName: storage.name
  AzureWebJobsStorage__credential: 'managedidentity'
  APPLICATIONINSIGHTS_CONNECTION_STRING: appInsights.properties.ConnectionString
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'Authorization=AAD'
  QuotaResetSchedule: quotaResetSchedule
  LlmProxy__MockUnconfiguredProviders: 'false'
  LlmProxy__Store__Kind: 'Tables'
  LlmProxy__UsageQueue__Kind: 'StorageQueue'
  LlmProxy__UsageQueue__Connection: 'AzureWebJobsStorage'
  LlmProxy__UsageQueue__QueueName: usageQueueName
  LlmProxy__Admin__ApiKey: keyVaultReference(vault.properties.vaultUri, adminKeySecretName)
  // A missing secret leaves the reference unresolved, which the app reads as "not set".
  LlmProxy__EndUserTokens__SigningKey: keyVaultReference(vault.properties.vaultUri, endUserTokenKeySecretName)
  LlmProxy__EndUserTokens__PreviousSigningKey: keyVaultReference(vault.properties.vaultUri, endUserTokenPreviousKeySecretName)
  LlmProxy__Providers__openai__ApiKey: keyVaultReference(vault.properties.vaultUri, 'openai-api-key')
  LlmProxy__Providers__anthropic__ApiKey: keyVaultReference(vault.properties.vaultUri, 'anthropic-api-key')
  LlmProxy__Providers__gemini__ApiKey: keyVaultReference(vault.properties.vaultUri, 'gemini-api-key')
  LlmProxy__Providers__cohere__ApiKey: keyVaultReference(vault.properties.vaultUri, 'cohere-api-key')
  LlmProxy__Providers__mistral__ApiKey: keyVaultReference(vault.properties.vaultUri, 'mistral-api-key')
  LlmProxy__Providers__deepseek__ApiKey: keyVaultReference(vault.properties.vaultUri, 'deepseek-api-key')
  // Without an "azure-api-key" secret the reference stays unresolved, and the app signs in to Azure OpenAI with its identity.
  LlmProxy__Providers__azure__ApiKey: keyVaultReference(vault.properties.vaultUri, 'azure-api-key')
}

// Set only when an Azure OpenAI account is given.
var azureOpenAIAppSettings = {
  LlmProxy__Providers__azure__BaseUrl: 'https://${azureOpenAIAccountName}.openai.azure.com/'
}

// The browser origins as the app's own CORS settings (a list is numbered keys in app settings).
var corsAppSettings = toObject(range(0, length(allowedOrigins)), i => 'LlmProxy__Cors__AllowedOrigins__${i}', i => allowedOrigins[i])

// Flex Consumption takes the runtime from functionAppConfig and rejects these; Elastic Premium needs them. Premium
// runs the package straight from the deployment container (read with the app's identity), so it needs no Azure
// Files share and no account key either.
var premiumAppSettings = {
  FUNCTIONS_EXTENSION_VERSION: '~4'
  FUNCTIONS_WORKER_RUNTIME: 'dotnet-isolated'
  WEBSITE_RUN_FROM_PACKAGE: '${storage.properties.primaryEndpoints.blob}${deploymentContainerName}/llmproxy.zip'
}

resource app 'Microsoft.Web/sites@2024-04-01' = {
  name: appName
  location: location
  tags: tags
  kind: 'functionapp,linux'
  identity: {
    type: 'SystemAssigned'
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    keyVaultReferenceIdentity: 'SystemAssigned'
    functionAppConfig: isFlex
      ? {
          deployment: {
            storage: {
              type: 'blobContainer'
              value: '${storage.properties.primaryEndpoints.blob}${deploymentContainerName}'
              authentication: {
                type: 'SystemAssignedIdentity'
              }
            }
          }
          scaleAndConcurrency: {
            instanceMemoryMB: instanceMemoryMB
            maximumInstanceCount: maximumInstanceCount
          }
          runtime: {
            name: 'dotnet-isolated'
            version: '10.0'
          }
        }
      : null
    siteConfig: {
      linuxFxVersion: isFlex ? null : 'DOTNET-ISOLATED|10.0'
      minimumElasticInstanceCount: isFlex ? null : premiumMinimumInstances
      functionAppScaleLimit: isFlex ? null : maximumInstanceCount
      minTlsVersion: '1.2'
      ftpsState: 'Disabled'
      http20Enabled: true
      // Platform CORS stays off: the platform answers CORS before the worker runs and its headers replace the app's,
      // which grants a publishable key's call only the origins that key lists. The app answers CORS itself from
      // LlmProxy__Cors__AllowedOrigins__N (docs/configuration.md, "Browser access").
      cors: {
        allowedOrigins: []
      }
      appSettings: map(items(union(appSettings, empty(azureOpenAIAccountName) ? {} : azureOpenAIAppSettings, corsAppSettings, isFlex ? {} : premiumAppSettings)), setting => {
        name: setting.key
        value: setting.value
      })
    }
  }
  dependsOn: [
    deploymentContainer
    usageQueue
    usagePoisonQueue
    tables
  ]
}

// The host keeps leases, timers and keys in blobs; the app reads the queue and the Table store; Flex reads its
// package from the deployment container.
var storageRoles = [
  roles.storageBlobDataOwner
  roles.storageQueueDataContributor
  roles.storageTableDataContributor
]

resource storageRoleAssignments 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for role in storageRoles: {
    name: guid(storage.id, app.id, role)
    scope: storage
    properties: {
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', role)
      principalId: app.identity.principalId
      principalType: 'ServicePrincipal'
    }
  }
]

resource vaultSecretsUser 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(vault.id, app.id, roles.keyVaultSecretsUser)
  scope: vault
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.keyVaultSecretsUser)
    principalId: app.identity.principalId
    principalType: 'ServicePrincipal'
  }
}

resource appInsightsPublisher 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(appInsights.id, app.id, roles.monitoringMetricsPublisher)
  scope: appInsights
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.monitoringMetricsPublisher)
    principalId: app.identity.principalId
    principalType: 'ServicePrincipal'
  }
}

module azureOpenAIUser 'modules/openai-user.bicep' = if (!empty(azureOpenAIAccountName)) {
  name: 'openai-user-${suffix}'
  scope: resourceGroup(azureOpenAIResourceGroup)
  params: {
    accountName: azureOpenAIAccountName
    principalId: app.identity.principalId
  }
}

@description('Base URL of the proxy, e.g. POST {url}/v1/chat/completions.')
output url string = 'https://${app.properties.defaultHostName}'

@description('Name of the function app (for az functionapp / func azure functionapp publish).')
output functionAppName string = app.name

@description('Object id of the app\'s managed identity.')
output principalId string = app.identity.principalId

@description('Key Vault holding the vendor keys ("<vendor>-api-key"), the admin key ("admin-api-key") and the end-user token signing keys ("end-user-token-signing-key", "end-user-token-previous-signing-key").')
output keyVaultName string = vault.name

@description('Storage account of the host, the usage queue, the Table store and the deployment packages.')
output storageAccountName string = storage.name

@description('Blob container the app runs its package from.')
output deploymentContainerName string = deploymentContainerName

@description('Application Insights component receiving the app\'s logs, requests and metrics.')
output appInsightsName string = appInsights.name

@description('Log Analytics workspace behind Application Insights.')
output logAnalyticsWorkspaceName string = logAnalytics.name
