using Kida.Cli;

return KidaCommand.Run(args, Console.Out, Console.Error, Console.In);
