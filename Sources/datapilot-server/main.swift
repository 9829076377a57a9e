import DataPilotServerCommand

await ServerCommand.start()
