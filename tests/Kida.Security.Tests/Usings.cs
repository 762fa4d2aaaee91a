global using Xunit;
global using Kida.Security;
