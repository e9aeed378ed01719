// Lets the function app's identity call an Azure OpenAI (or Azure AI services) account with Entra ID tokens: the
// built-in role "Cognitive Services OpenAI User" (inference only: no keys, no deployment changes) on that account.
// A module because the account may live in another resource group than the app.

targetScope = 'resourceGroup'

@description('Name of the Azure OpenAI account, in the resource group this module is deployed to.')
param accountName string

@description('Object id of the identity that calls it (the function app\'s system-assigned identity).')
param principalId string

var cognitiveServicesOpenAIUser = '5e0bd9bd-7b93-4f28-af87-19fc36ad61bd'

resource account 'Microsoft.CognitiveServices/accounts@2024-10-01' existing = {
  name: accountName
}

resource openAIUser 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(account.id, principalId, cognitiveServicesOpenAIUser)
  scope: account
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', cognitiveServicesOpenAIUser)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}
