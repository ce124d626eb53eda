// The media server (issue 13): Janus (SFU, VideoRoom) and coturn (STUN/TURN) on one Debian VM,
// installed from Debian's packages by cloud-init, with Caddy in front for TLS (the browser's
// wss:// to Janus, the app's https:// to Janus's HTTP API). Why a VM and not a container group:
// README.md "Media server on Azure". Its secrets go to the app's Key Vault; main.bicep wires them
// into the function app's settings.

@description('Region of the media server.')
param location string

@description('Name prefix.')
param prefix string

@description('Unique suffix of the deployment.')
param suffix string

@description('The Key Vault the app reads its secrets from (the media secrets are written there).')
param vaultName string

@description('VM size: Janus forwards audio, so CPU and network bandwidth matter most.')
param vmSize string = 'Standard_D2as_v5'

@description('Admin user for SSH (key only).')
param adminUsername string = 'zawaroom'

@description('SSH public key of the admin user.')
param sshPublicKey string

@secure()
@description('Seed of the media secrets (TURN shared secret, Janus admin key, Janus token secret); a new one rotates them all.')
param secretSeed string

var name = '${prefix}-media-${suffix}'
var dnsLabel = toLower('${prefix}-media-${suffix}')
var fqdn = '${dnsLabel}.${location}.cloudapp.azure.com'
var turnSecret = base64(format('turn:{0}', secretSeed))
var janusAdminKey = base64(format('janus-admin:{0}', secretSeed))
var janusTokenSecret = base64(format('janus-token:{0}', secretSeed))
// Janus's RTP ports and coturn's relay ports (one UDP range each; the NSG opens exactly these).
var rtpFrom = 20000
var rtpTo = 29999
var relayFrom = 30000
var relayTo = 39999

var cloudInit = '''
#cloud-config
package_update: true
packages: [janus, coturn, caddy]
write_files:
  - path: /etc/janus/janus.jcfg
    content: |
      general: {
        configs_folder = "/etc/janus"
        plugins_folder = "/usr/lib/x86_64-linux-gnu/janus/plugins"
        transports_folder = "/usr/lib/x86_64-linux-gnu/janus/transports"
        events_folder = "/usr/lib/x86_64-linux-gnu/janus/events"
        loggers_folder = "/usr/lib/x86_64-linux-gnu/janus/loggers"
        debug_level = 3
        token_auth = true
        token_auth_secret = "{TOKEN_SECRET}"
        admin_secret = "{ADMIN_KEY}"
      }
      media: { rtp_port_range = "{RTP_FROM}-{RTP_TO}" }
      nat: { nat_1_1_mapping = "{PUBLIC_IP}" keep_private_host = false }
      plugins: { disable = "libjanus_audiobridge.so,libjanus_duktape.so,libjanus_echotest.so,libjanus_lua.so,libjanus_nosip.so,libjanus_recordplay.so,libjanus_sip.so,libjanus_streaming.so,libjanus_textroom.so,libjanus_videocall.so,libjanus_voicemail.so" }
      transports: { disable = "libjanus_mqtt.so,libjanus_nanomsg.so,libjanus_pfunix.so,libjanus_rabbitmq.so" }
      events: { broadcast = false }
  - path: /etc/janus/janus.plugin.videoroom.jcfg
    content: |
      general: { admin_key = "{ADMIN_KEY}" lock_rtp_forward = true }
  - path: /etc/janus/janus.transport.http.jcfg
    content: |
      general: { json = "compact" base_path = "/janus" http = true port = 8088 ip = "127.0.0.1" https = false }
      admin: { admin_http = false admin_https = false }
  - path: /etc/janus/janus.transport.websockets.jcfg
    content: |
      general: { json = "compact" ws = true ws_port = 8188 ws_ip = "127.0.0.1" wss = false }
      admin: { admin_ws = false admin_wss = false }
  - path: /etc/turnserver.conf
    content: |
      listening-port=3478
      tls-listening-port=5349
      external-ip={PUBLIC_IP}
      min-port={RELAY_FROM}
      max-port={RELAY_TO}
      use-auth-secret
      static-auth-secret={TURN_SECRET}
      realm={FQDN}
      fingerprint
      no-cli
      no-multicast-peers
      denied-peer-ip=10.0.0.0-10.255.255.255
      denied-peer-ip=172.16.0.0-172.31.255.255
      denied-peer-ip=192.168.0.0-192.168.255.255
      cert=/var/lib/caddy/.local/share/caddy/certificates/acme-v02.api.letsencrypt.org-directory/{FQDN}/{FQDN}.crt
      pkey=/var/lib/caddy/.local/share/caddy/certificates/acme-v02.api.letsencrypt.org-directory/{FQDN}/{FQDN}.key
  - path: /etc/caddy/Caddyfile
    content: |
      {FQDN} {
        handle /janus* { reverse_proxy 127.0.0.1:8088 }
        handle { reverse_proxy 127.0.0.1:8188 }
      }
runcmd:
  - systemctl enable --now janus caddy
  - sleep 60
  - chmod -R o+rX /var/lib/caddy/.local/share/caddy/certificates || true
  - systemctl enable coturn && systemctl restart coturn
'''

var customData = replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(cloudInit,
  '{TOKEN_SECRET}', janusTokenSecret), '{ADMIN_KEY}', janusAdminKey), '{TURN_SECRET}', turnSecret), '{FQDN}', fqdn),
  '{PUBLIC_IP}', publicIp.properties.ipAddress), '{RTP_FROM}', string(rtpFrom)), '{RTP_TO}', string(rtpTo)),
  '{RELAY_FROM}', string(relayFrom)), '{RELAY_TO}', string(relayTo)), '\r', '')

resource publicIp 'Microsoft.Network/publicIPAddresses@2023-11-01' = {
  name: '${name}-ip'
  location: location
  sku: { name: 'Standard' }
  properties: {
    publicIPAllocationMethod: 'Static'
    dnsSettings: { domainNameLabel: dnsLabel }
  }
}

resource nsg 'Microsoft.Network/networkSecurityGroups@2023-11-01' = {
  name: '${name}-nsg'
  location: location
  properties: {
    securityRules: [
      { name: 'https', properties: { priority: 100, direction: 'Inbound', access: 'Allow', protocol: 'Tcp', sourceAddressPrefix: '*', sourcePortRange: '*', destinationAddressPrefix: '*', destinationPortRanges: [ '80', '443' ] } }
      { name: 'turn', properties: { priority: 110, direction: 'Inbound', access: 'Allow', protocol: '*', sourceAddressPrefix: '*', sourcePortRange: '*', destinationAddressPrefix: '*', destinationPortRanges: [ '3478', '5349' ] } }
      { name: 'media', properties: { priority: 120, direction: 'Inbound', access: 'Allow', protocol: 'Udp', sourceAddressPrefix: '*', sourcePortRange: '*', destinationAddressPrefix: '*', destinationPortRanges: [ '${rtpFrom}-${relayTo}' ] } }
      { name: 'ssh', properties: { priority: 130, direction: 'Inbound', access: 'Allow', protocol: 'Tcp', sourceAddressPrefix: 'AzureCloud', sourcePortRange: '*', destinationAddressPrefix: '*', destinationPortRange: '22' } }
    ]
  }
}

resource vnet 'Microsoft.Network/virtualNetworks@2023-11-01' = {
  name: '${name}-vnet'
  location: location
  properties: {
    addressSpace: { addressPrefixes: [ '10.40.0.0/24' ] }
    subnets: [ { name: 'media', properties: { addressPrefix: '10.40.0.0/26', networkSecurityGroup: { id: nsg.id } } } ]
  }
}

resource nic 'Microsoft.Network/networkInterfaces@2023-11-01' = {
  name: '${name}-nic'
  location: location
  properties: {
    enableAcceleratedNetworking: true
    ipConfigurations: [
      {
        name: 'primary'
        properties: {
          subnet: { id: vnet.properties.subnets[0].id }
          privateIPAllocationMethod: 'Dynamic'
          publicIPAddress: { id: publicIp.id }
        }
      }
    ]
  }
}

resource vm 'Microsoft.Compute/virtualMachines@2024-03-01' = {
  name: name
  location: location
  properties: {
    hardwareProfile: { vmSize: vmSize }
    osProfile: {
      computerName: take(replace(name, '-', ''), 15)
      adminUsername: adminUsername
      customData: base64(customData)
      linuxConfiguration: {
        disablePasswordAuthentication: true
        ssh: { publicKeys: [ { path: '/home/${adminUsername}/.ssh/authorized_keys', keyData: sshPublicKey } ] }
      }
    }
    storageProfile: {
      imageReference: { publisher: 'Debian', offer: 'debian-12', sku: '12-gen2', version: 'latest' }
      osDisk: { createOption: 'FromImage', managedDisk: { storageAccountType: 'StandardSSD_LRS' } }
    }
    networkProfile: { networkInterfaces: [ { id: nic.id } ] }
  }
}

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' existing = {
  name: vaultName
}

resource turnSecretInVault 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  parent: vault
  name: 'MediaTurnSecret'
  properties: { value: turnSecret }
}

resource janusAdminKeyInVault 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  parent: vault
  name: 'MediaJanusAdminKey'
  properties: { value: janusAdminKey }
}

resource janusTokenSecretInVault 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  parent: vault
  name: 'MediaJanusTokenSecret'
  properties: { value: janusTokenSecret }
}

@description('The function app settings of the media server (secrets as Key Vault references).')
output appSettings array = [
  { name: 'Zawaroom__Media__JanusUrl', value: 'https://${fqdn}/janus' }
  { name: 'Zawaroom__Media__JanusPublicUrl', value: 'wss://${fqdn}/' }
  { name: 'Zawaroom__Media__TurnUrls', value: 'stun:${fqdn}:3478,turn:${fqdn}:3478?transport=udp,turn:${fqdn}:3478?transport=tcp,turns:${fqdn}:5349?transport=tcp' }
  { name: 'Zawaroom__Media__TurnSecret', value: '@Microsoft.KeyVault(SecretUri=${turnSecretInVault.properties.secretUri})' }
  { name: 'Zawaroom__Media__JanusAdminKey', value: '@Microsoft.KeyVault(SecretUri=${janusAdminKeyInVault.properties.secretUri})' }
  { name: 'Zawaroom__Media__JanusTokenSecret', value: '@Microsoft.KeyVault(SecretUri=${janusTokenSecretInVault.properties.secretUri})' }
]

output fqdn string = fqdn
