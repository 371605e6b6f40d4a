// The contract's generated clients under names that do not collide with the feature namespaces (OptOutGate.Server.Gate,
// OptOutGate.Server.Tests.Mo, …), inside which "Gate" or "Mo" would name the namespace, not the service.
global using AdminRpcClient = OptOutGate.Contracts.V1.Admin.AdminClient;
global using ChangesRpcClient = OptOutGate.Contracts.V1.Changes.ChangesClient;
global using GateRpcClient = OptOutGate.Contracts.V1.Gate.GateClient;
global using MoRpcClient = OptOutGate.Contracts.V1.Mo.MoClient;
