// Zawaroom on Azure: the Functions app (custom handler running functions/), Cosmos DB (documents),
// Storage (blobs and the Functions runtime), SignalR Service (serverless), the Static Web App
// (static-web/), Key Vault (connection strings, operator key) and Application Insights.
// Plain resource declarations only (no registry modules). Compiled by the deployment tests.
//   az deployment group create -g <rg> -f infra/main.bicep -p operatorKey=... aadClientId=...

targetScope = 'resourceGroup'

@description('Region of every resource except the Static Web App.')
param location string = resourceGroup().location

@description('Region of the Static Web App (a subset of regions offers it).')
param staticWebAppLocation string = 'eastasia'

@description('Short name prefix of every resource (lowercase letters and digits).')
@minLength(3)
@maxLength(11)
param prefix string = 'zawaroom'

@description('The platform domain: "{sub}.{baseDomain}" addresses a site.')
param baseDomain string = 'zawaroom.com'

@description('The operator API key (S5).')
@secure()
param operatorKey string

@description('Entra ID multi-tenant app registration: the client id (audience) of the "aad" provider.')
param aadClientId string

@description('Entra ID tenant ids allowed to sign in; empty = any tenant.')
param aadAllowedTenants array = []

@description('Azure AD B2C: instance, e.g. https://zawaroom.b2clogin.com/ (empty = "aad-b2c" off).')
param b2cInstance string = ''

@description('Azure AD B2C: tenant domain, e.g. zawaroom.onmicrosoft.com.')
param b2cDomain string = ''

@description('Azure AD B2C: the sign-up/sign-in user flow.')
param b2cPolicy string = 'B2C_1_susi'

@description('Azure AD B2C: the client id (audience) of Zawaroom\'s registration.')
param b2cClientId string = ''

@description('Path of the app\'s SignalR Service upstream endpoint (serverless mode).')
param signalRUpstreamPath string = '/api/realtime/upstream/{hub}/{category}/{event}'

@description('SSH public key of the media server VM (Janus and coturn: infra/media.bicep); empty = no media server, voice stays peer to peer.')
param mediaSshPublicKey string = ''

@secure()
@description('Seed of the media secrets; each deployment makes a new one unless given, which rotates them on the VM and in the app together.')
param mediaSecretSeed string = newGuid()

var suffix = uniqueString(resourceGroup().id)
var names = {
  logs: '${prefix}-logs-${suffix}'
  insights: '${prefix}-ai-${suffix}'
  storage: take('${prefix}st${suffix}', 24)
  cosmos: '${prefix}-cosmos-${suffix}'
  signalr: '${prefix}-signalr-${suffix}'
  vault: take('${prefix}kv${suffix}', 24)
  plan: '${prefix}-plan-${suffix}'
  functions: '${prefix}-func-${suffix}'
  syncWorker: '${prefix}-sync-${suffix}'
  syncStorage: take('${prefix}sy${suffix}', 24)
  web: '${prefix}-web-${suffix}'
}
var cosmosDatabase = 'zawaroom'
var cosmosContainer = 'documents'
var cosmosEventsContainer = 'events'
var cosmosPresenceContainer = 'presence'
var blobContainer = 'zawaroom'
var contentShare = toLower(names.functions)
var syncContentShare = toLower(names.syncWorker)
var syncNowQueue = 'zoom-sync-now'
// Built-in role: Key Vault Secrets User.
var keyVaultSecretsUser = subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '4633458b-17de-408a-b874-0445c86b69e6')
var keyVaultCryptoServiceEncryptionUser = subscriptionResourceId('Microsoft.Authorization/roleDefinitions', 'e147488a-f6f5-4113-8e2d-b22465e65bf6')
// Built-in role: Storage Queue Data Message Sender (the API app's "sync now" message to the SyncWorker).
var storageQueueDataMessageSender = subscriptionResourceId('Microsoft.Authorization/roleDefinitions', 'c6a89b2d-59bc-44d0-9896-0f6e12d7b80a')

// ---------------------------------------------------------------------------------------------
// Monitoring

resource logs 'Microsoft.OperationalInsights/workspaces@2023-09-01' = {
  name: names.logs
  location: location
  properties: {
    sku: { name: 'PerGB2018' }
    retentionInDays: 30
  }
}

resource insights 'Microsoft.Insights/components@2020-02-02' = {
  name: names.insights
  location: location
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: logs.id
  }
}

// ---------------------------------------------------------------------------------------------
// Storage: blobs of the sites (private container) and the Functions runtime's own storage

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  name: names.storage
  location: location
  kind: 'StorageV2'
  sku: { name: 'Standard_LRS' }
  properties: {
    minimumTlsVersion: 'TLS1_2'
    allowBlobPublicAccess: false
    supportsHttpsTrafficOnly: true
  }
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2023-05-01' = {
  parent: storage
  name: 'default'
  properties: {
    deleteRetentionPolicy: { enabled: true, days: 7 }
  }
}

resource blobs 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = {
  parent: blobService
  name: blobContainer
  properties: { publicAccess: 'None' }
}

resource fileService 'Microsoft.Storage/storageAccounts/fileServices@2023-05-01' = {
  parent: storage
  name: 'default'
}

resource functionsShare 'Microsoft.Storage/storageAccounts/fileServices/shares@2023-05-01' = {
  parent: fileService
  name: contentShare
}

// ---------------------------------------------------------------------------------------------
// Cosmos DB (NoSQL, serverless): one container partitioned by site id; TTL on so that presence
// records can carry a "ttl" (the app decides expiry from timestamps; TTL only cleans up behind it)

resource cosmos 'Microsoft.DocumentDB/databaseAccounts@2024-05-15' = {
  name: names.cosmos
  location: location
  kind: 'GlobalDocumentDB'
  properties: {
    databaseAccountOfferType: 'Standard'
    consistencyPolicy: { defaultConsistencyLevel: 'Session' }
    locations: [
      { locationName: location, failoverPriority: 0, isZoneRedundant: false }
    ]
    capabilities: [
      { name: 'EnableServerless' }
    ]
    minimalTlsVersion: 'Tls12'
    disableLocalAuth: false
  }
}

resource cosmosDb 'Microsoft.DocumentDB/databaseAccounts/sqlDatabases@2024-05-15' = {
  parent: cosmos
  name: cosmosDatabase
  properties: {
    resource: { id: cosmosDatabase }
  }
}

resource documents 'Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers@2024-05-15' = {
  parent: cosmosDb
  name: cosmosContainer
  properties: {
    resource: {
      id: cosmosContainer
      partitionKey: { paths: [ '/siteId' ], kind: 'Hash' }
      defaultTtl: -1
      indexingPolicy: {
        indexingMode: 'consistent'
        includedPaths: [ { path: '/siteId/?' }, { path: '/kind/?' }, { path: '/key/?' } ]
        excludedPaths: [ { path: '/*' } ]
      }
    }
  }
}

// The usage log: one partition per site and UTC day ("{site}|{yyyy-MM-dd}", a plain string key).
resource events 'Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers@2024-05-15' = {
  parent: cosmosDb
  name: cosmosEventsContainer
  properties: {
    resource: {
      id: cosmosEventsContainer
      partitionKey: { paths: [ '/pk' ], kind: 'Hash' }
      indexingPolicy: {
        indexingMode: 'consistent'
        includedPaths: [ { path: '/pk/?' }, { path: '/at/?' } ]
        excludedPaths: [ { path: '/*' } ]
      }
    }
  }
}

// Presence: one item per live connection, partitioned by site; items carry a ttl (cleanup only).
resource presence 'Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers@2024-05-15' = {
  parent: cosmosDb
  name: cosmosPresenceContainer
  properties: {
    resource: {
      id: cosmosPresenceContainer
      partitionKey: { paths: [ '/siteId' ], kind: 'Hash' }
      defaultTtl: -1
      indexingPolicy: {
        indexingMode: 'consistent'
        includedPaths: [ { path: '/siteId/?' }, { path: '/kind/?' }, { path: '/roomId/?' }, { path: '/heartbeat/?' } ]
        excludedPaths: [ { path: '/*' } ]
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// SignalR Service, serverless: clients connect to it; their invocations and connect/disconnect
// events come to the app's upstream endpoint

resource signalr 'Microsoft.SignalRService/signalR@2024-03-01' = {
  name: names.signalr
  location: location
  kind: 'SignalR'
  sku: { name: 'Standard_S1', capacity: 1 }
  properties: {
    features: [
      { flag: 'ServiceMode', value: 'Serverless' }
      { flag: 'EnableConnectivityLogs', value: 'True' }
    ]
    cors: { allowedOrigins: [ 'https://${staticWebApp.properties.defaultHostname}', 'https://*.${baseDomain}' ] }
    upstream: {
      templates: [
        {
          hubPattern: '*'
          categoryPattern: '*'
          eventPattern: '*'
          urlTemplate: 'https://${names.functions}.azurewebsites.net${signalRUpstreamPath}'
        }
      ]
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Key Vault: the connection strings and the operator key, read by the app through Key Vault references

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: names.vault
  location: location
  properties: {
    tenantId: subscription().tenantId
    sku: { family: 'A', name: 'standard' }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 30
  }
}

resource cosmosSecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  parent: vault
  name: 'CosmosConnectionString'
  properties: { value: cosmos.listConnectionStrings().connectionStrings[0].connectionString }
}

resource storageSecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  parent: vault
  name: 'StorageConnectionString'
  properties: { value: 'DefaultEndpointsProtocol=https;AccountName=${storage.name};AccountKey=${storage.listKeys().keys[0].value};EndpointSuffix=${environment().suffixes.storage}' }
}

resource signalrSecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  parent: vault
  name: 'SignalRConnectionString'
  properties: { value: signalr.listKeys().primaryConnectionString }
}

// The key that wraps the app's Data Protection key ring (which encrypts the Zoom secrets, Z1); the ring itself is kept
// in the blob store. The app may only wrap and unwrap with it (Key Vault Crypto Service Encryption User, on this key).
resource dataProtectionKey 'Microsoft.KeyVault/vaults/keys@2023-07-01' = {
  parent: vault
  name: 'DataProtection'
  properties: {
    kty: 'RSA'
    keySize: 2048
    keyOps: [ 'wrapKey', 'unwrapKey' ]
  }
}

resource operatorSecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  parent: vault
  name: 'OperatorKey'
  properties: { value: operatorKey }
}

// ---------------------------------------------------------------------------------------------
// The Functions app: host.json runs `dotnet Zawaroom.Functions.dll` in app/ as the custom handler

resource plan 'Microsoft.Web/serverfarms@2023-12-01' = {
  name: names.plan
  location: location
  kind: 'functionapp'
  sku: { name: 'Y1', tier: 'Dynamic' }
  properties: { reserved: true }
}

var storageConnection = 'DefaultEndpointsProtocol=https;AccountName=${storage.name};AccountKey=${storage.listKeys().keys[0].value};EndpointSuffix=${environment().suffixes.storage}'
var b2cSettings = empty(b2cClientId) ? [] : [
  { name: 'Zawaroom__Identity__AadB2c__Instance', value: b2cInstance }
  { name: 'Zawaroom__Identity__AadB2c__Domain', value: b2cDomain }
  { name: 'Zawaroom__Identity__AadB2c__SignUpSignInPolicyId', value: b2cPolicy }
  { name: 'Zawaroom__Identity__AadB2c__ClientId', value: b2cClientId }
]
// The stores and the key ring, the same for both apps (they share Cosmos DB, the blob container and the Data Protection keys).
var storeSettings = [
  { name: 'Zawaroom__Cosmos__ConnectionString', value: '@Microsoft.KeyVault(SecretUri=${cosmosSecret.properties.secretUri})' }
  { name: 'Zawaroom__Cosmos__Database', value: cosmosDatabase }
  { name: 'Zawaroom__Cosmos__Container', value: cosmosContainer }
  { name: 'Zawaroom__Cosmos__EventsContainer', value: cosmosEventsContainer }
  { name: 'Zawaroom__Cosmos__PresenceContainer', value: cosmosPresenceContainer }
  { name: 'Zawaroom__Cosmos__CreateIfNotExists', value: 'false' }
  { name: 'Zawaroom__Blobs__ConnectionString', value: '@Microsoft.KeyVault(SecretUri=${storageSecret.properties.secretUri})' }
  { name: 'Zawaroom__Blobs__Container', value: blobContainer }
  { name: 'Zawaroom__Blobs__CreateIfNotExists', value: 'false' }
  { name: 'Zawaroom__DataProtection__KeyStore', value: 'Blobs' }
  { name: 'Zawaroom__DataProtection__KeyVaultKeyId', value: dataProtectionKey.properties.keyUri }
]
module media 'media.bicep' = if (!empty(mediaSshPublicKey)) {
  name: 'media'
  params: { location: location, prefix: prefix, suffix: suffix, vaultName: vault.name, sshPublicKey: mediaSshPublicKey, secretSeed: mediaSecretSeed }
}
var mediaSettings = empty(mediaSshPublicKey) ? [] : media!.outputs.appSettings
var tenantSettings = [for (tenant, i) in aadAllowedTenants: { name: 'Zawaroom__Identity__Aad__AllowedTenants__${i}', value: tenant }]

resource functions 'Microsoft.Web/sites@2023-12-01' = {
  name: names.functions
  location: location
  kind: 'functionapp,linux'
  identity: { type: 'SystemAssigned' }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    keyVaultReferenceIdentity: 'SystemAssigned'
    siteConfig: {
      // The dotnet runtime comes with the .NET stack image; the worker is the custom handler.
      linuxFxVersion: 'DOTNET-ISOLATED|10.0'
      ftpsState: 'Disabled'
      minTlsVersion: '1.2'
      cors: { allowedOrigins: [ 'https://${staticWebApp.properties.defaultHostname}' ] }
      appSettings: concat([
        { name: 'FUNCTIONS_EXTENSION_VERSION', value: '~4' }
        { name: 'FUNCTIONS_WORKER_RUNTIME', value: 'custom' }
        { name: 'AzureWebJobsStorage', value: storageConnection }
        { name: 'WEBSITE_CONTENTAZUREFILECONNECTIONSTRING', value: storageConnection }
        { name: 'WEBSITE_CONTENTSHARE', value: contentShare }
        { name: 'WEBSITE_RUN_FROM_PACKAGE', value: '1' }
        { name: 'APPLICATIONINSIGHTS_CONNECTION_STRING', value: insights.properties.ConnectionString }
        { name: 'ASPNETCORE_ENVIRONMENT', value: 'Production' }
        { name: 'Zawaroom__Stores', value: 'Azure' }
        { name: 'Zawaroom__Auth__LocalLogin', value: 'false' }
        { name: 'Zawaroom__SeedDemo', value: 'false' }
        { name: 'Zawaroom__Sites__BaseDomain', value: baseDomain }
        { name: 'Zawaroom__OperatorKey', value: '@Microsoft.KeyVault(SecretUri=${operatorSecret.properties.secretUri})' }
        { name: 'Zawaroom__SignalR__ConnectionString', value: '@Microsoft.KeyVault(SecretUri=${signalrSecret.properties.secretUri})' }
        { name: 'Zawaroom__Identity__Aad__ClientId', value: aadClientId }
        // "Sync now" goes to the SyncWorker's queue; the worker runs the Zoom sync and the log-export retention.
        { name: 'Zawaroom__Zoom__Driver', value: 'Queue' }
        { name: 'Zawaroom__Zoom__SyncNowQueue', value: 'https://${syncStorage.name}.queue.${environment().suffixes.storage}/${syncNowQueue}' }
        { name: 'Zawaroom__Logs__RetentionTimer', value: 'false' }
      ], storeSettings, b2cSettings, tenantSettings, mediaSettings)
    }
  }
}

resource functionsWrapWithDataProtectionKey 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(dataProtectionKey.id, functions.id, keyVaultCryptoServiceEncryptionUser)
  scope: dataProtectionKey
  properties: {
    roleDefinitionId: keyVaultCryptoServiceEncryptionUser
    principalId: functions.identity.principalId
    principalType: 'ServicePrincipal'
  }
}

resource functionsReadSecrets 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(vault.id, functions.id, keyVaultSecretsUser)
  scope: vault
  properties: {
    roleDefinitionId: keyVaultSecretsUser
    principalId: functions.identity.principalId
    principalType: 'ServicePrincipal'
  }
}

// ---------------------------------------------------------------------------------------------
// The SyncWorker Function App (dotnet-isolated, functions/SyncWorker): the Zoom sync's Durable orchestration, its
// activities and timers, the "sync now" queue and the log-export retention. Its own storage account holds the Durable
// task hub (ZawaroomZoomSync, host.json) and the queue; the documents are the API app's Cosmos DB.

resource syncStorage 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  name: names.syncStorage
  location: location
  kind: 'StorageV2'
  sku: { name: 'Standard_LRS' }
  properties: {
    minimumTlsVersion: 'TLS1_2'
    allowBlobPublicAccess: false
    supportsHttpsTrafficOnly: true
  }
}

resource syncFileService 'Microsoft.Storage/storageAccounts/fileServices@2023-05-01' = {
  parent: syncStorage
  name: 'default'
}

resource syncShare 'Microsoft.Storage/storageAccounts/fileServices/shares@2023-05-01' = {
  parent: syncFileService
  name: syncContentShare
}

resource syncQueueService 'Microsoft.Storage/storageAccounts/queueServices@2023-05-01' = {
  parent: syncStorage
  name: 'default'
}

resource syncNow 'Microsoft.Storage/storageAccounts/queueServices/queues@2023-05-01' = {
  parent: syncQueueService
  name: syncNowQueue
}

var syncStorageConnection = 'DefaultEndpointsProtocol=https;AccountName=${syncStorage.name};AccountKey=${syncStorage.listKeys().keys[0].value};EndpointSuffix=${environment().suffixes.storage}'

resource syncWorker 'Microsoft.Web/sites@2023-12-01' = {
  name: names.syncWorker
  location: location
  kind: 'functionapp,linux'
  identity: { type: 'SystemAssigned' }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    keyVaultReferenceIdentity: 'SystemAssigned'
    siteConfig: {
      linuxFxVersion: 'DOTNET-ISOLATED|10.0'
      ftpsState: 'Disabled'
      minTlsVersion: '1.2'
      appSettings: concat([
        { name: 'FUNCTIONS_EXTENSION_VERSION', value: '~4' }
        { name: 'FUNCTIONS_WORKER_RUNTIME', value: 'dotnet-isolated' }
        { name: 'AzureWebJobsStorage', value: syncStorageConnection }
        { name: 'ZoomSyncQueue', value: syncStorageConnection }
        { name: 'WEBSITE_CONTENTAZUREFILECONNECTIONSTRING', value: syncStorageConnection }
        { name: 'WEBSITE_CONTENTSHARE', value: syncContentShare }
        { name: 'WEBSITE_RUN_FROM_PACKAGE', value: '1' }
        { name: 'APPLICATIONINSIGHTS_CONNECTION_STRING', value: insights.properties.ConnectionString }
        { name: 'Zawaroom__Stores', value: 'Azure' }
      ], storeSettings)
    }
  }
}

resource syncWorkerWrapWithDataProtectionKey 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(dataProtectionKey.id, syncWorker.id, keyVaultCryptoServiceEncryptionUser)
  scope: dataProtectionKey
  properties: {
    roleDefinitionId: keyVaultCryptoServiceEncryptionUser
    principalId: syncWorker.identity.principalId
    principalType: 'ServicePrincipal'
  }
}

resource syncWorkerReadSecrets 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(vault.id, syncWorker.id, keyVaultSecretsUser)
  scope: vault
  properties: {
    roleDefinitionId: keyVaultSecretsUser
    principalId: syncWorker.identity.principalId
    principalType: 'ServicePrincipal'
  }
}

// The API app may put "sync now" messages on the worker's queue (QueueZoomSyncNow, with its managed identity).
resource functionsSendSyncNow 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(syncNow.id, functions.id, storageQueueDataMessageSender)
  scope: syncNow
  properties: {
    roleDefinitionId: storageQueueDataMessageSender
    principalId: functions.identity.principalId
    principalType: 'ServicePrincipal'
  }
}

// ---------------------------------------------------------------------------------------------
// The Static Web App serves static-web/ and forwards /api to the Functions app (linked backend)

resource staticWebApp 'Microsoft.Web/staticSites@2023-12-01' = {
  name: names.web
  location: staticWebAppLocation
  sku: { name: 'Standard', tier: 'Standard' }
  properties: {
    stagingEnvironmentPolicy: 'Enabled'
    allowConfigFileUpdates: true
  }
}

resource backend 'Microsoft.Web/staticSites/linkedBackends@2023-12-01' = {
  parent: staticWebApp
  name: 'functions'
  properties: {
    backendResourceId: functions.id
    region: location
  }
}

output functionAppName string = functions.name
output functionAppHost string = functions.properties.defaultHostName
output syncWorkerName string = syncWorker.name
output staticWebAppHost string = staticWebApp.properties.defaultHostname
output cosmosAccount string = cosmos.name
output storageAccount string = storage.name
output signalrHost string = signalr.properties.hostName
output keyVault string = vault.name
